variable "name" {
  description = "Prefix of alarm, topic, dashboard and budget names."
  type        = string
  validation {
    condition     = length(var.name) > 0
    error_message = "name must not be empty."
  }
}

variable "region" {
  description = "Region of the ECS and ALB metrics."
  type        = string
  validation {
    condition     = length(var.region) > 0
    error_message = "region must not be empty."
  }
}

variable "environment" {
  description = "Environment tag value the budget filters on."
  type        = string
  validation {
    condition     = length(var.environment) > 0
    error_message = "environment must not be empty."
  }
}

variable "alert_email" {
  description = "Recipient of alarms and budget alerts."
  type        = string
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the alert topic (its policy lets CloudWatch alarms publish)."
  type        = string
  validation {
    condition     = startswith(var.kms_key_arn, "arn:")
    error_message = "kms_key_arn must be an ARN."
  }
}

variable "cluster_name" {
  description = "ECS cluster of the service."
  type        = string
  validation {
    condition     = length(var.cluster_name) > 0
    error_message = "cluster_name must not be empty."
  }
}

variable "service_name" {
  description = "ECS service watched by the alarms."
  type        = string
  validation {
    condition     = length(var.service_name) > 0
    error_message = "service_name must not be empty."
  }
}

variable "alb_arn_suffix" {
  description = "LoadBalancer dimension of the ALB metrics."
  type        = string
  validation {
    condition     = startswith(var.alb_arn_suffix, "app/")
    error_message = "alb_arn_suffix must look like app/<name>/<id>."
  }
}

variable "target_group_arn_suffix" {
  description = "TargetGroup dimension of the ALB metrics."
  type        = string
  validation {
    condition     = startswith(var.target_group_arn_suffix, "targetgroup/")
    error_message = "target_group_arn_suffix must look like targetgroup/<name>/<id>."
  }
}

variable "distribution_id" {
  description = "CloudFront distribution on the dashboard."
  type        = string
  validation {
    condition     = length(var.distribution_id) > 0
    error_message = "distribution_id must not be empty."
  }
}

variable "cpu_threshold" {
  description = "CPU alarm threshold (%)."
  type        = number
  default     = 85
  validation {
    condition     = var.cpu_threshold > 0 && var.cpu_threshold <= 100
    error_message = "cpu_threshold must be 1-100."
  }
}

variable "memory_threshold" {
  description = "Memory alarm threshold (%)."
  type        = number
  default     = 85
  validation {
    condition     = var.memory_threshold > 0 && var.memory_threshold <= 100
    error_message = "memory_threshold must be 1-100."
  }
}

variable "error_threshold" {
  description = "5xx responses per minute that raise an alarm."
  type        = number
  default     = 5
  validation {
    condition     = var.error_threshold >= 0
    error_message = "error_threshold must not be negative."
  }
}

variable "latency_threshold_seconds" {
  description = "p95 response time (seconds) that raises an alarm."
  type        = number
  default     = 1.5
  validation {
    condition     = var.latency_threshold_seconds > 0
    error_message = "latency_threshold_seconds must be positive."
  }
}

variable "enable_budget" {
  description = "Create the monthly AWS Budgets alert."
  type        = bool
}

variable "monthly_budget_usd" {
  description = "Monthly budget in USD."
  type        = number
  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be positive."
  }
}

variable "web_acl_name" {
  description = "Name of the CloudFront web ACL, for the security dashboard; null without a WAF."
  type        = string
  default     = null
  validation {
    condition     = var.web_acl_name == null || try(length(var.web_acl_name) > 0, false)
    error_message = "web_acl_name must be a name, or null."
  }
}

variable "fixed_cost" {
  description = "The environment's fixed monthly cost by component (USD, modules/cost), shown on the cost dashboard."
  type        = map(number)
  default     = {}
  validation {
    condition     = alltrue([for v in values(var.fixed_cost) : v >= 0])
    error_message = "fixed_cost values must be >= 0."
  }
}
