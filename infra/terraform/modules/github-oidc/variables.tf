variable "name" {
  description = "Prefix of the role name."
  type        = string
  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 49
    error_message = "name must be 1-49 characters (IAM role names, <name>-github-release, are at most 64)."
  }
}

variable "environment" {
  description = "Terraform environment (dev, staging, prod): names the policies and the deploy lock item deploy/<environment>."
  type        = string
  validation {
    condition     = length(var.environment) > 0
    error_message = "environment must not be empty."
  }
}

variable "github_repository" {
  description = "owner/name of the repository whose workflows may assume the roles."
  type        = string
  validation {
    condition     = can(regex("^[^/]+/[^/]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
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

variable "oidc_provider_arn" {
  description = "ARN of the account's GitHub OIDC provider (infra/terraform/account creates it)."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}

variable "apply_environment" {
  description = "GitHub environment of the job that runs terraform apply (the one with required reviewers); the apply role trusts only it."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.apply_environment))
    error_message = "apply_environment must be a GitHub environment name (letters, digits, '-', '_', '.')."
  }
}

variable "release_environment" {
  description = "GitHub environment of the job that releases the app; the release role trusts only it."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.release_environment))
    error_message = "release_environment must be a GitHub environment name (letters, digits, '-', '_', '.')."
  }
}

variable "state_bucket" {
  description = "S3 bucket holding this environment's Terraform state (environments/<env>.backend.hcl)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be an S3 bucket name."
  }
}

variable "state_key" {
  description = "Key of this environment's state object in state_bucket."
  type        = string
  validation {
    condition     = length(var.state_key) > 0 && !startswith(var.state_key, "/")
    error_message = "state_key must be a non-empty key without a leading slash."
  }
}

variable "lock_table_arn" {
  description = "ARN of this environment's DynamoDB lock table (Terraform's state lock and the deploy lock)."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]+$", var.lock_table_arn))
    error_message = "lock_table_arn must be a DynamoDB table ARN."
  }
}
