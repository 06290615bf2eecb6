variable "name" {
  description = "Resource name prefix, e.g. pixelsandpetals-prod."
  type        = string
  validation {
    condition     = length(var.name) > 0
    error_message = "name must not be empty."
  }
}

variable "replica_region" {
  description = "Region the replicas and the backup copies live in; the aws.replica provider must be configured for it."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.replica_region))
    error_message = "replica_region must be an AWS region such as us-west-2."
  }
}

variable "buckets" {
  description = "Primary buckets to replicate, by role (static, backups): name, ARN, and whether objects are SSE-KMS encrypted."
  type = map(object({
    name = string
    arn  = string
    kms  = bool
  }))
  validation {
    condition     = length(var.buckets) > 0 && alltrue([for b in values(var.buckets) : startswith(b.arn, "arn:") && length(b.name) > 0])
    error_message = "buckets must name at least one bucket, each with its ARN."
  }
}

variable "database_arn" {
  description = "RDS instance to back up with AWS Backup (copies to the replica region); null when there is none."
  type        = string
  default     = null
  validation {
    condition     = var.database_arn == null || can(regex("^arn:[^:]+:rds:", var.database_arn))
    error_message = "database_arn must be an RDS instance ARN, or null."
  }
}

variable "backup_retention_days" {
  description = "Days a database recovery point is kept, in the primary and in the replica region."
  type        = number
  default     = 35
  validation {
    condition     = var.backup_retention_days >= 7
    error_message = "backup_retention_days must be at least 7."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty replica buckets and vaults (dev only)."
  type        = bool
  default     = false
}
