# Through the validation resources when enabled, so listeners and the distribution wait for issued certificates.
output "cloudfront_certificate_arn" {
  description = "ACM certificate (us-east-1) for the distribution."
  value       = var.enable_dns ? aws_acm_certificate_validation.cloudfront[0].certificate_arn : aws_acm_certificate.cloudfront.arn
}

output "alb_certificate_arn" {
  description = "ACM certificate for the ALB's HTTPS listener."
  value       = var.enable_dns ? aws_acm_certificate_validation.alb[0].certificate_arn : aws_acm_certificate.alb.arn
}

output "origin_domain_name" {
  description = "Host name CloudFront uses to reach the ALB."
  value       = local.origin_domain
}

output "validation_records" {
  description = "DNS records that validate the certificates (create them yourself when enable_dns is false)."
  value       = [for name, r in local.records : { name = r.resource_record_name, type = r.resource_record_type, value = r.resource_record_value }]
}
