variable "name" {
  description = "Replication group, subnet group and security group name."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name))
    error_message = "name must be a valid replication group id (at most 40 characters)."
  }
}

variable "vpc_id" {
  description = "VPC of the cache security group."
  type        = string
  validation {
    condition     = length(var.vpc_id) > 0
    error_message = "vpc_id must not be empty."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the cache subnet group."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids must not be empty."
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

variable "node_type" {
  description = "ElastiCache node type."
  type        = string
  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must start with cache."
  }
}

variable "replicas" {
  description = "Read replicas (0 = single node; >0 enables automatic failover)."
  type        = number
  validation {
    condition     = var.replicas >= 0 && var.replicas <= 5
    error_message = "replicas must be 0-5."
  }
}
