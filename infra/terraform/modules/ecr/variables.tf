variable "name" {
  description = "Repository name."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]*$", var.name))
    error_message = "name must be a valid ECR repository name (lowercase)."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete the repository while it holds images."
  type        = bool
}

variable "keep_images" {
  description = "Number of most recent images kept."
  type        = number
  default     = 30
  validation {
    condition     = var.keep_images >= 2
    error_message = "keep_images must be at least 2 (the running image and a rollback target)."
  }
}

variable "untagged_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 7
  validation {
    condition     = var.untagged_days >= 1
    error_message = "untagged_days must be at least 1."
  }
}
