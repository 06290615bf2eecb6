output "static_bucket" {
  description = "Name of the static assets bucket."
  value       = aws_s3_bucket.this["static"].id
}

output "static_bucket_arn" {
  description = "ARN of the static assets bucket."
  value       = aws_s3_bucket.this["static"].arn
}

output "static_bucket_regional_domain_name" {
  description = "Regional domain name of the static bucket (CloudFront origin)."
  value       = aws_s3_bucket.this["static"].bucket_regional_domain_name
}

# Read through the policy so that the ALB, which validates log delivery at creation, waits for it.
output "logs_bucket" {
  description = "Name of the access logs bucket (after its policy is in place)."
  value       = aws_s3_bucket_policy.logs.bucket
}

output "logs_bucket_domain_name" {
  description = "Domain name of the logs bucket (CloudFront logging target)."
  value       = aws_s3_bucket.this["logs"].bucket_domain_name
  # CloudFront standard logging writes through ACLs, which BucketOwnerPreferred enables.
  depends_on = [aws_s3_bucket_ownership_controls.this]
}

output "backups_bucket" {
  description = "Name of the backups bucket."
  value       = aws_s3_bucket.this["backups"].id
}

output "backups_bucket_arn" {
  description = "ARN of the backups bucket."
  value       = aws_s3_bucket.this["backups"].arn
}
