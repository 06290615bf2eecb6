output "web_acl_arn" {
  description = "ARN of the web ACL (CloudFront web_acl_id)."
  value       = aws_wafv2_web_acl.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group (us-east-1) receiving the web ACL's request logs."
  value       = aws_cloudwatch_log_group.waf.name
}

output "rule_count" {
  description = "Rules and managed rule groups in the web ACL (WAF bills each)."
  value       = length(local.managed_rule_groups) + 1 # + the rate limit
}
