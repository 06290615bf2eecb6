variable "name" {
  description = "Name of the load balancer and target group (at most 32 characters)."
  type        = string
  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 32
    error_message = "name must be 1-32 characters (ALB naming limit)."
  }
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
  validation {
    condition     = length(var.vpc_id) > 0
    error_message = "vpc_id must not be empty."
  }
}

variable "subnet_ids" {
  description = "Public subnets of the load balancer (two or more AZs)."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must span at least two subnets."
  }
}

variable "security_group_id" {
  description = "Security group of the load balancer."
  type        = string
  validation {
    condition     = length(var.security_group_id) > 0
    error_message = "security_group_id must not be empty."
  }
}

variable "certificate_arn" {
  description = "ACM certificate (in the ALB's region) for the HTTPS listener."
  type        = string
  validation {
    condition     = startswith(var.certificate_arn, "arn:")
    error_message = "certificate_arn must be an ARN."
  }
}

variable "container_port" {
  description = "Port the targets (tasks) listen on."
  type        = number
  validation {
    condition     = var.container_port > 0 && var.container_port < 65536
    error_message = "container_port must be a TCP port."
  }
}

variable "health_check_path" {
  description = "Path probed on each target; 200 means healthy."
  type        = string
  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "deregistration_delay" {
  description = "Seconds a draining target keeps serving in-flight requests."
  type        = number
  default     = 30
  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 60
    error_message = "deregistration_delay must be 0-60 seconds, so deploys do not wait on draining."
  }
}

variable "access_logs_bucket" {
  description = "Bucket receiving access logs under alb/ (its policy must allow ELB log delivery)."
  type        = string
  validation {
    condition     = length(var.access_logs_bucket) > 0
    error_message = "access_logs_bucket must not be empty."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer."
  type        = bool
}

variable "origin_verify_header_name" {
  description = "Header CloudFront adds to every origin request; the listener forwards only requests carrying it with origin_verify_header_value."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,40}$", var.origin_verify_header_name))
    error_message = "origin_verify_header_name must be 1-40 letters, digits or hyphens."
  }
}

variable "origin_verify_header_value" {
  description = "Secret value of origin_verify_header_name (from Secrets Manager); requests without it get 403."
  type        = string
  sensitive   = true
  validation {
    # The listener condition treats * and ? as wildcards and allows at most 128 characters.
    condition     = can(regex("^[A-Za-z0-9]{32,128}$", var.origin_verify_header_value))
    error_message = "origin_verify_header_value must be 32-128 letters or digits."
  }
}
