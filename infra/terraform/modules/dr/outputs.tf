output "replica_buckets" {
  description = "Replica bucket names by role (static, backups), in the replica region."
  value       = { for k, b in aws_s3_bucket.replica : k => b.id }
}

output "backup_vaults" {
  description = "AWS Backup vaults (primary, replica) holding the database's recovery points; empty without a database."
  value       = var.database_arn == null ? {} : { primary = aws_backup_vault.primary[0].name, replica = aws_backup_vault.replica[0].name }
}
