output "role_arn" {
  description = "Role for aws-actions/configure-aws-credentials (role-to-assume) in this environment's deploy job."
  value       = aws_iam_role.deploy.arn
}

output "subjects" {
  description = "OIDC subjects the role trusts."
  value       = local.subjects
}
