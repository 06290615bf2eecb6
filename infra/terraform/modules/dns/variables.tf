variable "enable_dns" {
  description = "Write validation and alias records into the Route 53 zone and wait for certificate validation."
  type        = bool
}

variable "domain_name" {
  description = "Public host name of the app."
  type        = string
  validation {
    condition     = length(var.domain_name) > 0
    error_message = "domain_name must not be empty."
  }
}

variable "zone_name" {
  description = "Public Route 53 zone holding domain_name (used when enable_dns)."
  type        = string
  validation {
    condition     = length(var.zone_name) > 0
    error_message = "zone_name must not be empty."
  }
}

variable "alb_dns_name" {
  description = "DNS name of the ALB (target of origin.<domain>)."
  type        = string
  validation {
    condition     = length(var.alb_dns_name) > 0
    error_message = "alb_dns_name must not be empty."
  }
}

variable "alb_zone_id" {
  description = "Route 53 zone ID of the ALB."
  type        = string
  validation {
    condition     = length(var.alb_zone_id) > 0
    error_message = "alb_zone_id must not be empty."
  }
}

variable "cloudfront_domain_name" {
  description = "Domain name of the distribution (target of <domain>)."
  type        = string
  validation {
    condition     = length(var.cloudfront_domain_name) > 0
    error_message = "cloudfront_domain_name must not be empty."
  }
}

variable "cloudfront_zone_id" {
  description = "Route 53 zone ID of CloudFront."
  type        = string
  validation {
    condition     = length(var.cloudfront_zone_id) > 0
    error_message = "cloudfront_zone_id must not be empty."
  }
}
