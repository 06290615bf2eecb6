variable "name" {
  description = "Name prefix for every resource."
  type        = string
  validation {
    condition     = length(var.name) > 0
    error_message = "name must not be empty."
  }
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  validation {
    condition     = can(cidrhost(var.cidr, 0))
    error_message = "cidr must be an IPv4 CIDR block."
  }
}

variable "az_count" {
  description = "Number of availability zones (one public and one private subnet each)."
  type        = number
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3."
  }
}

variable "single_nat_gateway" {
  description = "Share one NAT gateway between all private subnets."
  type        = bool
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints from the private subnets."
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "logs"]
  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9.-]+$", s))])
    error_message = "interface_endpoints entries are service suffixes such as ecr.api."
  }
}

variable "log_retention_days" {
  description = "Retention of the flow log group."
  type        = number
  validation {
    condition     = var.log_retention_days > 0
    error_message = "log_retention_days must be positive."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key that encrypts the flow log group."
  type        = string
  validation {
    condition     = startswith(var.logs_kms_key_arn, "arn:")
    error_message = "logs_kms_key_arn must be an ARN."
  }
}
