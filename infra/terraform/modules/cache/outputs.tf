output "url" {
  description = "Connection URL (TLS) of the primary endpoint."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
}
