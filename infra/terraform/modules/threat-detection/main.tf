# GuardDuty (threats in CloudTrail, VPC flow and DNS logs) and Security Hub (posture checks against AWS's
# foundational best practices), with their high and critical findings sent to the alert topic: a finding nobody
# reads protects nothing. Both are account-and-region services: one detector and one hub per account and region.

resource "aws_guardduty_detector" "this" {
  count                        = var.enable_guardduty ? 1 : 0
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES" # the default six hours is too slow for an alert
}

resource "aws_securityhub_account" "this" {
  count                    = var.enable_security_hub ? 1 : 0
  enable_default_standards = true # AWS Foundational Security Best Practices and CIS
  auto_enable_controls     = true
}

locals {
  # EventBridge patterns: GuardDuty severities are numbers (7-8.9 high, 9+ critical); Security Hub's are labels.
  rules = merge(
    var.enable_guardduty ? {
      guardduty = {
        description = "High and critical GuardDuty findings to the alert topic"
        pattern = {
          source      = ["aws.guardduty"]
          detail-type = ["GuardDuty Finding"]
          detail      = { severity = [{ numeric = [">=", var.guardduty_min_severity] }] }
        }
      }
    } : {},
    var.enable_security_hub ? {
      securityhub = {
        description = "New high and critical Security Hub findings to the alert topic"
        pattern = {
          source      = ["aws.securityhub"]
          detail-type = ["Security Hub Findings - Imported"]
          detail = {
            findings = {
              Severity    = { Label = ["HIGH", "CRITICAL"] }
              Workflow    = { Status = ["NEW"] }
              RecordState = ["ACTIVE"]
            }
          }
        }
      }
    } : {},
  )
}

resource "aws_cloudwatch_event_rule" "findings" {
  for_each      = local.rules
  name          = "${var.name}-${each.key}-findings"
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
}

# The topic's policy admits EventBridge rules named <name>-* of this account (modules/monitoring), and its key lets
# EventBridge encrypt (root module).
resource "aws_cloudwatch_event_target" "findings" {
  for_each = aws_cloudwatch_event_rule.findings
  rule     = each.value.name
  arn      = var.alert_topic_arn
}
