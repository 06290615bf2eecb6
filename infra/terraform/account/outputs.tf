output "github_oidc_provider_arn" {
  description = "The account's GitHub OIDC provider; every environment's plan, apply and release roles trust it."
  value       = aws_iam_openid_connect_provider.github.arn
}
