output "address" {
  description = "Host name of the database."
  value       = aws_db_instance.this.address
}

output "db_name" {
  description = "Name of the app database."
  value       = aws_db_instance.this.db_name
}

output "credentials_secret_arn" {
  description = "Secrets Manager secret (JSON username/password) managed by RDS."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "arn" {
  description = "ARN of the database instance (AWS Backup selects it)."
  value       = aws_db_instance.this.arn
}
