variable "name" {
  description = "Name used in the distribution comment and the OAC."
  type        = string
  validation {
    condition     = length(var.name) > 0
    error_message = "name must not be empty."
  }
}

variable "domain_name" {
  description = "Public host name served by the distribution (alias)."
  type        = string
  validation {
    condition     = length(var.domain_name) > 0
    error_message = "domain_name must not be empty."
  }
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 covering domain_name."
  type        = string
  validation {
    condition     = can(regex("^arn:[^:]+:acm:us-east-1:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

variable "static_bucket" {
  description = "Name of the static assets bucket."
  type        = string
  validation {
    condition     = length(var.static_bucket) > 0
    error_message = "static_bucket must not be empty."
  }
}

variable "static_bucket_arn" {
  description = "ARN of the static assets bucket."
  type        = string
  validation {
    condition     = startswith(var.static_bucket_arn, "arn:")
    error_message = "static_bucket_arn must be an ARN."
  }
}

variable "static_bucket_domain" {
  description = "Regional domain name of the static bucket."
  type        = string
  validation {
    condition     = length(var.static_bucket_domain) > 0
    error_message = "static_bucket_domain must not be empty."
  }
}

variable "static_path_pattern" {
  description = "Path pattern served from the static bucket."
  type        = string
  default     = "/assets/*"
  validation {
    condition     = startswith(var.static_path_pattern, "/")
    error_message = "static_path_pattern must start with /."
  }
}

variable "app_origin_domain" {
  description = "Host name of the ALB origin; must match the ALB certificate (origin.<domain>)."
  type        = string
  validation {
    condition     = length(var.app_origin_domain) > 0
    error_message = "app_origin_domain must not be empty."
  }
}

variable "logs_bucket_domain" {
  description = "Domain name of the bucket receiving standard logs (ACLs enabled)."
  type        = string
  validation {
    condition     = endswith(var.logs_bucket_domain, ".amazonaws.com")
    error_message = "logs_bucket_domain must be an S3 bucket domain name."
  }
}

variable "web_acl_arn" {
  description = "WAF web ACL (CLOUDFRONT scope) to attach; null for none."
  type        = string
  default     = null
  validation {
    condition     = var.web_acl_arn == null || can(regex("^arn:", var.web_acl_arn))
    error_message = "web_acl_arn must be null or an ARN."
  }
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "deny_insecure_transport" {
  description = "Deny plain-HTTP access to the static bucket. Only emulators reached over HTTP (moto, LocalStack) need false."
  type        = bool
  default     = true
}

variable "origin_verify_header_name" {
  description = "Custom header added to every request to the app origin; the ALB forwards only requests carrying it."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,40}$", var.origin_verify_header_name))
    error_message = "origin_verify_header_name must be 1-40 letters, digits or hyphens."
  }
}

variable "origin_verify_header_value" {
  description = "Secret value of origin_verify_header_name (from Secrets Manager)."
  type        = string
  sensitive   = true
  validation {
    condition     = length(var.origin_verify_header_value) >= 32
    error_message = "origin_verify_header_value must be at least 32 characters."
  }
}

variable "enable_security_headers" {
  description = "Attach the security headers response policy to every cache behaviour. False only for emulators without the API (moto)."
  type        = bool
  default     = true
}

variable "hsts_max_age_seconds" {
  description = "Strict-Transport-Security max-age in seconds."
  type        = number
  default     = 63072000
  validation {
    condition     = var.hsts_max_age_seconds >= 0 && var.hsts_max_age_seconds <= 63072000
    error_message = "hsts_max_age_seconds must be 0-63072000 (two years)."
  }
}

variable "hsts_preload" {
  description = "Add preload to Strict-Transport-Security (asks browsers' preload lists to hard-code HTTPS for the domain)."
  type        = bool
  default     = false
}

variable "content_security_policy" {
  description = "Content-Security-Policy header value sent with every response."
  type        = string
  validation {
    condition     = length(var.content_security_policy) > 0 && length(var.content_security_policy) <= 1783
    error_message = "content_security_policy must be 1-1783 characters (CloudFront's limit)."
  }
}
