output "guardduty_detector_id" {
  description = "ID of the GuardDuty detector, or null when disabled."
  value       = var.enable_guardduty ? aws_guardduty_detector.this[0].id : null
}

output "finding_rule_names" {
  description = "EventBridge rules routing findings to the alert topic."
  value       = [for r in aws_cloudwatch_event_rule.findings : r.name]
}
