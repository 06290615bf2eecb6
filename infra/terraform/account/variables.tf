variable "app_name" {
  description = "Short name of the application: the Project cost-allocation tag (same as the environments')."
  type        = string
  default     = "pixelsandpetals"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.app_name))
    error_message = "app_name must be 2-20 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "Region of the provider's API calls (IAM is global)."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like eu-west-1."
  }
}

variable "cost_center" {
  description = "Value of the CostCenter cost-allocation tag."
  type        = string
  default     = "engineering"
  validation {
    condition     = length(var.cost_center) > 0 && length(var.cost_center) <= 64
    error_message = "cost_center must be 1-64 characters."
  }
}
