variable "name" {
  description = "Prefix of the EventBridge rule names."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits, dots, hyphens or underscores."
  }
}

variable "enable_guardduty" {
  description = "Create the account's GuardDuty detector in this region and route its findings."
  type        = bool
}

variable "enable_security_hub" {
  description = "Enable Security Hub (default standards) in this region and route its findings."
  type        = bool
}

variable "guardduty_min_severity" {
  description = "Lowest GuardDuty severity sent to the alert topic (7 = high)."
  type        = number
  default     = 7
  validation {
    condition     = var.guardduty_min_severity >= 1 && var.guardduty_min_severity <= 10
    error_message = "guardduty_min_severity must be 1-10."
  }
}

variable "alert_topic_arn" {
  description = "SNS topic (same region) receiving the findings; its policy must admit EventBridge."
  type        = string
  validation {
    condition     = can(regex("^arn:[^:]+:sns:", var.alert_topic_arn))
    error_message = "alert_topic_arn must be an SNS topic ARN."
  }
}
