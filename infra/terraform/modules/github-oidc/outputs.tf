output "plan_role_arn" {
  description = "Role of plan.yml's plan job (pull requests): read, state read and state lock."
  value       = aws_iam_role.this["plan"].arn
}

output "apply_role_arn" {
  description = "Role of deploy.yml's infra job (terraform apply), trusted only from the apply GitHub environment."
  value       = aws_iam_role.this["apply"].arn
}

output "release_role_arn" {
  description = "Role of deploy.yml's release job: image push, ECS rollout, static files, invalidation, deploy lock, state read."
  value       = aws_iam_role.this["release"].arn
}

output "subjects" {
  description = "OIDC subject (token.actions.githubusercontent.com:sub) each role trusts, by role: plan, apply, release."
  value       = local.subjects
}
