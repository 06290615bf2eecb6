variable "az_count" {
  description = "Availability zones the VPC spans (interface endpoints and the ALB are billed per AZ)."
  type        = number
}

variable "nat_gateways" {
  description = "NAT gateways (one, or one per AZ)."
  type        = number
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints (each billed in every AZ)."
  type        = number
}

variable "tasks" {
  description = "Fargate tasks that always run (the service's minimum)."
  type        = number
}

variable "task_cpu" {
  description = "CPU units per task (1024 = 1 vCPU)."
  type        = number
}

variable "task_memory" {
  description = "Memory per task, MiB."
  type        = number
}

variable "waf_rules" {
  description = "Rules and managed rule groups in the web ACL; null when there is no WAF."
  type        = number
  default     = null
}

variable "kms_keys" {
  description = "Customer-managed KMS keys."
  type        = number
}

variable "secrets" {
  description = "Secrets Manager secrets."
  type        = number
}

variable "alarms" {
  description = "CloudWatch metric alarms."
  type        = number
}

variable "dashboards" {
  description = "CloudWatch dashboards."
  type        = number
}

variable "database" {
  description = "The RDS instance, when there is one."
  type = object({
    instance_class = string
    multi_az       = bool
    storage_gb     = number
  })
  default = null
}

variable "cache" {
  description = "The ElastiCache replication group, when there is one."
  type = object({
    node_type = string
    nodes     = number
  })
  default = null
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
}
