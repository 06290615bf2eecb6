variable "name" {
  description = "Identifier of the instance, subnet group and security group."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,59}$", var.name))
    error_message = "name must be a valid RDS identifier."
  }
}

variable "vpc_id" {
  description = "VPC of the database security group."
  type        = string
  validation {
    condition     = length(var.vpc_id) > 0
    error_message = "vpc_id must not be empty."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the DB subnet group."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must span at least two subnets."
  }
}

variable "client_security_group" {
  description = "Security group (the ECS tasks) allowed to connect."
  type        = string
  validation {
    condition     = length(var.client_security_group) > 0
    error_message = "client_security_group must not be empty."
  }
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must start with db."
  }
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be like 16 or 16.4."
  }
}

variable "multi_az" {
  description = "Standby replica in a second AZ."
  type        = bool
}

variable "deletion_protection" {
  description = "Refuse deletion and keep a final snapshot."
  type        = bool
}
