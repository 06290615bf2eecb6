variable "name" {
  description = "Name prefix; buckets are <name>-<purpose>-<account_id>."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.name))
    error_message = "name must be lowercase letters, digits and hyphens (S3 bucket naming)."
  }
}

variable "account_id" {
  description = "AWS account ID, appended to bucket names to keep them globally unique."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets."
  type        = bool
}

variable "static_noncurrent_days" {
  description = "Days a replaced static asset version is kept (rollback window for HTML)."
  type        = number
  default     = 30
  validation {
    condition     = var.static_noncurrent_days >= 1
    error_message = "static_noncurrent_days must be at least 1."
  }
}

variable "log_expiration_days" {
  description = "Days access logs are kept."
  type        = number
  default     = 365
  validation {
    condition     = var.log_expiration_days > 90
    error_message = "log_expiration_days must exceed 90 (logs move to Glacier at 90 days)."
  }
}
