variable "az_count" {
  description = "Availability zones the VPC spans (interface endpoints and the ALB are billed per AZ)."
  type        = number
  validation {
    condition     = var.az_count >= 0 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number >= 0."
  }
}

variable "nat_gateways" {
  description = "NAT gateways (one, or one per AZ)."
  type        = number
  validation {
    condition     = var.nat_gateways >= 0 && floor(var.nat_gateways) == var.nat_gateways
    error_message = "nat_gateways must be a whole number >= 0."
  }
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints (each billed in every AZ)."
  type        = number
  validation {
    condition     = var.interface_endpoints >= 0 && floor(var.interface_endpoints) == var.interface_endpoints
    error_message = "interface_endpoints must be a whole number >= 0."
  }
}

variable "tasks" {
  description = "Fargate tasks that always run (the service's minimum)."
  type        = number
  validation {
    condition     = var.tasks >= 0 && floor(var.tasks) == var.tasks
    error_message = "tasks must be a whole number >= 0."
  }
}

variable "task_cpu" {
  description = "CPU units per task (1024 = 1 vCPU)."
  type        = number
  validation {
    condition     = var.task_cpu > 0
    error_message = "task_cpu must be positive."
  }
}

variable "task_memory" {
  description = "Memory per task, MiB."
  type        = number
  validation {
    condition     = var.task_memory > 0
    error_message = "task_memory must be positive."
  }
}

variable "waf_rules" {
  description = "Rules and managed rule groups in the web ACL; null when there is no WAF."
  type        = number
  default     = null
  validation {
    condition     = var.waf_rules == null || try(var.waf_rules >= 0, false)
    error_message = "waf_rules must be >= 0, or null without a WAF."
  }
}

variable "kms_keys" {
  description = "Customer-managed KMS keys."
  type        = number
  validation {
    condition     = var.kms_keys >= 0 && floor(var.kms_keys) == var.kms_keys
    error_message = "kms_keys must be a whole number >= 0."
  }
}

variable "secrets" {
  description = "Secrets Manager secrets."
  type        = number
  validation {
    condition     = var.secrets >= 0 && floor(var.secrets) == var.secrets
    error_message = "secrets must be a whole number >= 0."
  }
}

variable "alarms" {
  description = "CloudWatch metric alarms."
  type        = number
  validation {
    condition     = var.alarms >= 0 && floor(var.alarms) == var.alarms
    error_message = "alarms must be a whole number >= 0."
  }
}

variable "dashboards" {
  description = "CloudWatch dashboards."
  type        = number
  validation {
    condition     = var.dashboards >= 0 && floor(var.dashboards) == var.dashboards
    error_message = "dashboards must be a whole number >= 0."
  }
}

variable "database" {
  description = "The RDS instance, when there is one."
  type = object({
    instance_class = string
    multi_az       = bool
    storage_gb     = number
  })
  default = null
  validation {
    condition     = var.database == null || try(var.database.storage_gb > 0, false)
    error_message = "database.storage_gb must be positive."
  }
}

variable "cache" {
  description = "The ElastiCache replication group, when there is one."
  type = object({
    node_type = string
    nodes     = number
  })
  default = null
  validation {
    condition     = var.cache == null || try(var.cache.nodes >= 1, false)
    error_message = "cache.nodes must be at least 1."
  }
}

variable "headroom" {
  description = "Share above the fixed cost the budget allows for usage (requests, data transfer, logs)."
  type        = number
  default     = 0.5
  validation {
    condition     = var.headroom >= 0
    error_message = "headroom must be >= 0."
  }
}

variable "budget_override" {
  description = "A budget set by hand instead of the derived one (null: derived)."
  type        = number
  default     = null
  validation {
    condition     = var.budget_override == null || try(var.budget_override > 0, false)
    error_message = "budget_override must be positive, or null to derive the budget."
  }
}
