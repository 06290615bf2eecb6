variable "name" {
  description = "Name of the trail and prefix of its bucket (<name>-cloudtrail-<account>) and key alias."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}$", var.name))
    error_message = "name must be 2-39 lowercase letters, digits or hyphens (bucket names have at most 63 characters)."
  }
}

variable "retention_days" {
  description = "Days trail log files are kept (moved to Glacier after 90)."
  type        = number
  default     = 365
  validation {
    condition     = var.retention_days > 90 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number above 90 (files move to Glacier at 90 days)."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the trail's key is deleted after a destroy."
  type        = number
  default     = 30
  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be 7-30."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the bucket with its log files (dev only)."
  type        = bool
  default     = false
}

variable "deny_insecure_transport" {
  description = "Deny plain-HTTP access to the trail bucket. False only for emulators reached over HTTP (moto, LocalStack)."
  type        = bool
  default     = true
}
