variable "name" {
  description = "Prefix of the role name."
  type        = string
  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 50
    error_message = "name must be 1-50 characters (IAM role names are at most 64)."
  }
}

variable "environment" {
  description = "GitHub environment the deploy job runs in (same name as the Terraform environment)."
  type        = string
  validation {
    condition     = length(var.environment) > 0
    error_message = "environment must not be empty."
  }
}

variable "create_provider" {
  description = "Create the account's GitHub OIDC provider; false looks up an existing one."
  type        = bool
}

variable "github_repository" {
  description = "owner/name of the repository allowed to deploy."
  type        = string
  validation {
    condition     = can(regex("^[^/]+/[^/]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "allowed_refs" {
  description = "Refs allowed to deploy (needs ref in the repository's OIDC subject template); empty: any ref the GitHub environment admits."
  type        = list(string)
  validation {
    condition     = alltrue([for r in var.allowed_refs : startswith(r, "refs/")])
    error_message = "allowed_refs entries must start with refs/."
  }
}

variable "ecr_repository_arn" {
  description = "The one repository the role may push to."
  type        = string
  validation {
    condition     = startswith(var.ecr_repository_arn, "arn:")
    error_message = "ecr_repository_arn must be an ARN."
  }
}

variable "cluster_arn" {
  description = "Cluster whose tasks the role may list and describe."
  type        = string
  validation {
    condition     = startswith(var.cluster_arn, "arn:")
    error_message = "cluster_arn must be an ARN."
  }
}

variable "service_arn" {
  description = "The one service the role may update."
  type        = string
  validation {
    condition     = startswith(var.service_arn, "arn:")
    error_message = "service_arn must be an ARN."
  }
}

variable "pass_role_arns" {
  description = "Task execution and task roles the role may hand to ECS."
  type        = list(string)
  validation {
    condition     = length(var.pass_role_arns) > 0 && alltrue([for a in var.pass_role_arns : startswith(a, "arn:")])
    error_message = "pass_role_arns must be a non-empty list of role ARNs."
  }
}

variable "static_bucket_arn" {
  description = "Static assets bucket the role publishes to."
  type        = string
  validation {
    condition     = startswith(var.static_bucket_arn, "arn:")
    error_message = "static_bucket_arn must be an ARN."
  }
}

variable "distribution_arn" {
  description = "Distribution the role may invalidate."
  type        = string
  validation {
    condition     = startswith(var.distribution_arn, "arn:")
    error_message = "distribution_arn must be an ARN."
  }
}
