variable "name" {
  description = "Name of the web ACL and prefix of its metrics."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name must be 1-100 letters, digits, hyphens or underscores."
  }
}

variable "rate_limit" {
  description = "Requests per 5 minutes from one IP before it is blocked."
  type        = number
  validation {
    condition     = var.rate_limit >= 100
    error_message = "rate_limit must be at least 100 (WAF minimum)."
  }
}

variable "log_retention_days" {
  description = "Days the WAF log group keeps request logs."
  type        = number
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the WAF logs key is deleted after a destroy."
  type        = number
  default     = 30
  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be 7-30."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic notified when blocked requests spike; must be in us-east-1 like the alarm (CloudWatch notifies same-region topics only)."
  type        = string
  validation {
    condition     = can(regex("^arn:[^:]+:sns:", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "blocked_requests_threshold" {
  description = "Blocked requests in 5 minutes above which the alarm fires."
  type        = number
  validation {
    condition     = var.blocked_requests_threshold >= 1
    error_message = "blocked_requests_threshold must be at least 1."
  }
}
