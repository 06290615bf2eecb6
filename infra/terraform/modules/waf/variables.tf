variable "name" {
  description = "Name of the web ACL and prefix of its metrics."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name must be 1-100 letters, digits, hyphens or underscores."
  }
}

variable "rate_limit" {
  description = "Requests per 5 minutes from one IP before it is blocked."
  type        = number
  validation {
    condition     = var.rate_limit >= 100
    error_message = "rate_limit must be at least 100 (WAF minimum)."
  }
}
