variable "name" {
  description = "Name of the cluster, service, task family and roles."
  type        = string
  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 40
    error_message = "name must be 1-40 characters."
  }
}

variable "region" {
  description = "Region of the log group (awslogs driver)."
  type        = string
  validation {
    condition     = length(var.region) > 0
    error_message = "region must not be empty."
  }
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids must not be empty."
  }
}

variable "security_group_id" {
  description = "Security group of the tasks."
  type        = string
  validation {
    condition     = length(var.security_group_id) > 0
    error_message = "security_group_id must not be empty."
  }
}

variable "target_group_arn" {
  description = "ALB target group the service registers its tasks in."
  type        = string
  validation {
    condition     = startswith(var.target_group_arn, "arn:")
    error_message = "target_group_arn must be an ARN."
  }
}

variable "container_name" {
  description = "Name of the app container."
  type        = string
  validation {
    condition     = length(var.container_name) > 0
    error_message = "container_name must not be empty."
  }
}

variable "container_port" {
  description = "Port the app container listens on."
  type        = number
  validation {
    condition     = var.container_port > 0 && var.container_port < 65536
    error_message = "container_port must be a TCP port."
  }
}

variable "image" {
  description = "Image of the first task definition revision (later revisions come from the deploy stage)."
  type        = string
  validation {
    condition     = length(var.image) > 0
    error_message = "image must not be empty."
  }
}

variable "ecr_repository_arn" {
  description = "The one repository the execution role may pull from."
  type        = string
  validation {
    condition     = startswith(var.ecr_repository_arn, "arn:")
    error_message = "ecr_repository_arn must be an ARN."
  }
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be a Fargate CPU value."
  }
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
  validation {
    condition     = var.memory >= 512
    error_message = "memory must be at least 512 MiB."
  }
}

variable "desired_count" {
  description = "Task count when the service is created (ignored afterwards)."
  type        = number
  validation {
    condition     = var.desired_count >= 0
    error_message = "desired_count must not be negative."
  }
}

variable "min_capacity" {
  description = "Autoscaling minimum task count."
  type        = number
  validation {
    condition     = var.min_capacity >= 0
    error_message = "min_capacity must not be negative."
  }
}

variable "max_capacity" {
  description = "Autoscaling maximum task count."
  type        = number
  validation {
    condition     = var.max_capacity >= 1
    error_message = "max_capacity must be at least 1."
  }
}

variable "enable_autoscaling" {
  description = "Create the scalable target and the CPU/memory target-tracking policies."
  type        = bool
  default     = true
}

variable "cpu_target" {
  description = "Target average CPU utilisation (%)."
  type        = number
  validation {
    condition     = var.cpu_target > 0 && var.cpu_target < 100
    error_message = "cpu_target must be between 0 and 100."
  }
}

variable "memory_target" {
  description = "Target average memory utilisation (%)."
  type        = number
  validation {
    condition     = var.memory_target > 0 && var.memory_target < 100
    error_message = "memory_target must be between 0 and 100."
  }
}

variable "environment" {
  description = "Plain environment variables of the app container."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for k in keys(var.environment) : can(regex("^[A-Z_][A-Z0-9_]*$", k))])
    error_message = "environment keys must be UPPER_SNAKE_CASE."
  }
}

variable "extra_secrets" {
  description = "More container variables read from Secrets Manager: name => secret ARN (whole secret value)."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for v in values(var.extra_secrets) : startswith(v, "arn:")])
    error_message = "extra_secrets values must be secret ARNs."
  }
}

variable "secret_version" {
  description = "Bump to generate and store a new app secret value."
  type        = number
  default     = 1
  validation {
    condition     = var.secret_version >= 1
    error_message = "secret_version must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the app log group."
  type        = number
  validation {
    condition     = var.log_retention_days > 0
    error_message = "log_retention_days must be positive."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key encrypting the app log group."
  type        = string
  validation {
    condition     = startswith(var.logs_kms_key_arn, "arn:")
    error_message = "logs_kms_key_arn must be an ARN."
  }
}

variable "force_destroy" {
  description = "Delete the app secret without a recovery window on destroy."
  type        = bool
}
