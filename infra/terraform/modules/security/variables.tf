variable "name" {
  description = "Name prefix for every resource."
  type        = string
  validation {
    condition     = length(var.name) > 0
    error_message = "name must not be empty."
  }
}

variable "vpc_id" {
  description = "VPC holding the security groups and NACLs."
  type        = string
  validation {
    condition     = length(var.vpc_id) > 0
    error_message = "vpc_id must not be empty."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC (traffic inside it passes the NACLs)."
  type        = string
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "public_subnet_ids" {
  description = "Subnets that get the public NACL."
  type        = list(string)
  validation {
    condition     = length(var.public_subnet_ids) > 0
    error_message = "public_subnet_ids must not be empty."
  }
}

variable "private_subnet_ids" {
  description = "Subnets that get the private NACL."
  type        = list(string)
  validation {
    condition     = length(var.private_subnet_ids) > 0
    error_message = "private_subnet_ids must not be empty."
  }
}

variable "container_port" {
  description = "App port: the only port the ALB may open to the tasks."
  type        = number
  validation {
    condition     = var.container_port > 0 && var.container_port < 65536
    error_message = "container_port must be a TCP port."
  }
}
