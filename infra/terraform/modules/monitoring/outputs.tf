output "alerts_topic_arn" {
  description = "SNS topic receiving every alarm."
  value       = aws_sns_topic.alerts.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_count" {
  description = "Metric alarms this module creates."
  value       = length(local.alarms) + 1 # + latency p95
}

output "dashboard_count" {
  description = "Dashboards this module creates (service, security, cost)."
  value       = 3
}
