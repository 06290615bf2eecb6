# ---------------------------------------------------------------------------------------------------------------------
# Identity and placement
# ---------------------------------------------------------------------------------------------------------------------

variable "app_name" {
  description = "Short name of the application; prefixes every resource name and is the Project cost-allocation tag."
  type        = string
  default     = "pixelsandpetals"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.app_name))
    error_message = "app_name must be 2-20 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod, ...); must match environments/<environment>.tfvars."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lowercase letters or digits, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region of the stack. CloudFront certificates and the WAF web ACL always live in us-east-1."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like eu-west-1."
  }
}

variable "domain_name" {
  description = "Public host name of the app (e.g. pixelsandpetals.com or dev.pixelsandpetals.com); the ALB is reached by CloudFront as origin.<domain_name>."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name such as dev.pixelsandpetals.com."
  }
}

variable "cost_center" {
  description = "Value of the CostCenter cost-allocation tag on every resource."
  type        = string
  default     = "engineering"
  validation {
    condition     = length(var.cost_center) > 0 && length(var.cost_center) <= 64
    error_message = "cost_center must be 1-64 characters."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# The container the pipeline deploys
# ---------------------------------------------------------------------------------------------------------------------

variable "container_name" {
  description = "Name of the app container in the task definition; the deploy stage swaps this container's image."
  type        = string
  default     = "app"
  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.container_name))
    error_message = "container_name may hold letters, digits, hyphens and underscores (1-255)."
  }
}

variable "container_port" {
  description = "TCP port the app listens on inside the container."
  type        = number
  default     = 3000
  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be an unprivileged port (1024-65535)."
  }
}

variable "health_check_path" {
  description = "HTTP path the ALB probes on each task; it must answer 200 without authentication."
  type        = string
  default     = "/healthz"
  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "bootstrap_image" {
  description = "Image of the first task definition revision only, before the deploy stage has pushed the app; every later revision belongs to the deploy stage."
  type        = string
  default     = "public.ecr.aws/nginx/nginx:stable-alpine"
  validation {
    condition     = length(var.bootstrap_image) > 0
    error_message = "bootstrap_image must name an image."
  }
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose workflows may assume this environment's plan, apply and release roles."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_apply_environment" {
  description = "GitHub environment whose jobs may assume the apply role (terraform apply); give it required reviewers. Empty: <environment>-infra."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{0,255}$", var.github_apply_environment))
    error_message = "github_apply_environment must be empty or a GitHub environment name (letters, digits, '-', '_', '.')."
  }
}

variable "github_release_environment" {
  description = "GitHub environment whose jobs may assume the release role (image push, ECS rollout, static files). Empty: <environment>."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{0,255}$", var.github_release_environment))
    error_message = "github_release_environment must be empty or a GitHub environment name (letters, digits, '-', '_', '.')."
  }
  validation {
    condition     = var.github_release_environment == "" || var.github_release_environment != var.github_apply_environment
    error_message = "github_release_environment and github_apply_environment must differ: each role trusts its own GitHub environment."
  }
}

variable "state_bucket" {
  description = "S3 bucket of this environment's state, as in environments/<env>.backend.hcl; the CI roles get access to it alone. Empty: <app_name>-terraform-state-<environment>."
  type        = string
  default     = ""
  validation {
    condition     = var.state_bucket == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be empty or an S3 bucket name."
  }
}

variable "lock_table" {
  description = "DynamoDB lock table of this environment (state lock and deploy lock), as in environments/<env>.backend.hcl, in aws_region. Empty: <app_name>-terraform-locks-<environment>."
  type        = string
  default     = ""
  validation {
    condition     = var.lock_table == "" || can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table))
    error_message = "lock_table must be empty or a DynamoDB table name."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC (/16 to /20); public subnets get /24-equivalents, private subnets /20-equivalents."
  type        = string
  default     = "10.0.0.0/16"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /20."
  }
}

variable "az_count" {
  description = "Number of availability zones for subnets, NAT gateways and tasks."
  type        = number
  default     = 3
  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "az_count must be 2 or 3."
  }
}

variable "origin_verify_version" {
  description = "Bump to rotate the secret X-Origin-Verify header value CloudFront sends and the ALB requires (both change in one apply)."
  type        = number
  default     = 1
  validation {
    condition     = var.origin_verify_version >= 1 && floor(var.origin_verify_version) == var.origin_verify_version
    error_message = "origin_verify_version must be a whole number of at least 1."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper, one AZ of egress) instead of one per AZ."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------------------------
# ECS capacity (the deploy stage sets the running count within these autoscaling bounds)
# ---------------------------------------------------------------------------------------------------------------------

variable "ecs_min_capacity" {
  description = "Minimum number of running tasks (autoscaling floor)."
  type        = number
  validation {
    condition     = var.ecs_min_capacity >= 1 && floor(var.ecs_min_capacity) == var.ecs_min_capacity
    error_message = "ecs_min_capacity must be a whole number >= 1."
  }
}

variable "ecs_max_capacity" {
  description = "Maximum number of running tasks (autoscaling ceiling)."
  type        = number
  validation {
    condition     = var.ecs_max_capacity >= var.ecs_min_capacity && var.ecs_max_capacity <= 100
    error_message = "ecs_max_capacity must be between ecs_min_capacity and 100."
  }
}

variable "ecs_desired_capacity" {
  description = "Number of tasks when the service is created; afterwards autoscaling and the deploy stage own the count."
  type        = number
  validation {
    condition     = var.ecs_desired_capacity >= var.ecs_min_capacity && var.ecs_desired_capacity <= var.ecs_max_capacity
    error_message = "ecs_desired_capacity must be between ecs_min_capacity and ecs_max_capacity."
  }
}

variable "ecs_cpu" {
  description = "Fargate task CPU units (256 = 0.25 vCPU)."
  type        = number
  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.ecs_cpu)
    error_message = "ecs_cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "ecs_memory" {
  description = "Fargate task memory in MiB; must be a valid pairing with ecs_cpu."
  type        = number
  validation {
    condition     = var.ecs_memory >= var.ecs_cpu * 2 && var.ecs_memory <= var.ecs_cpu * 8 && var.ecs_memory % 512 == 0
    error_message = "ecs_memory must be a multiple of 512 MiB between 2x and 8x ecs_cpu (Fargate pairings)."
  }
}

variable "enable_autoscaling" {
  description = "Scale the service between ecs_min_capacity and ecs_max_capacity on CPU and memory. Set false only on moto (its Application Auto Scaling API lacks ListTagsForResource)."
  type        = bool
  default     = true
}

variable "autoscaling_cpu_target" {
  description = "Average service CPU utilisation (%) that target tracking keeps."
  type        = number
  default     = 60
  validation {
    condition     = var.autoscaling_cpu_target >= 10 && var.autoscaling_cpu_target <= 90
    error_message = "autoscaling_cpu_target must be 10-90."
  }
}

variable "autoscaling_memory_target" {
  description = "Average service memory utilisation (%) that target tracking keeps."
  type        = number
  default     = 75
  validation {
    condition     = var.autoscaling_memory_target >= 10 && var.autoscaling_memory_target <= 90
    error_message = "autoscaling_memory_target must be 10-90."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Optional features
# ---------------------------------------------------------------------------------------------------------------------

variable "enable_database" {
  description = "Create a PostgreSQL RDS instance in the private subnets; its credentials reach the app as DATABASE_CREDENTIALS."
  type        = bool
  default     = false
}

variable "db_instance_class" {
  description = "RDS instance class when enable_database is true."
  type        = string
  default     = "db.t4g.micro"
  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class must be an RDS class such as db.t4g.micro."
  }
}

variable "enable_cache" {
  description = "Create an ElastiCache (Valkey) replication group; the app gets CACHE_URL. Off in every environment: moto cannot create replication groups."
  type        = bool
  default     = false
}

variable "cache_node_type" {
  description = "ElastiCache node type when enable_cache is true."
  type        = string
  default     = "cache.t4g.micro"
  validation {
    condition     = startswith(var.cache_node_type, "cache.")
    error_message = "cache_node_type must be an ElastiCache node type such as cache.t4g.micro."
  }
}

variable "enable_waf" {
  description = "Attach a WAF web ACL (AWS managed rules + rate limit) to the CloudFront distribution."
  type        = bool
  default     = true
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes from one IP before WAF blocks it."
  type        = number
  default     = 2000
  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000
    error_message = "waf_rate_limit must be between 100 and 2,000,000,000."
  }
}

variable "waf_blocked_requests_threshold" {
  description = "Requests the WAF may block in 5 minutes before the alarm notifies the alert topic (scanners are always blocked a little)."
  type        = number
  default     = 500
  validation {
    condition     = var.waf_blocked_requests_threshold >= 1 && floor(var.waf_blocked_requests_threshold) == var.waf_blocked_requests_threshold
    error_message = "waf_blocked_requests_threshold must be a whole number of at least 1."
  }
}

variable "enable_dns" {
  description = "Manage Route 53 records and ACM DNS validation in the public zone route53_zone_name. False when DNS lives elsewhere (or on moto): create the records from output certificate_validation_records yourself before the first apply."
  type        = bool
  default     = true
}

variable "route53_zone_name" {
  description = "Existing public Route 53 zone holding domain_name; empty means domain_name itself."
  type        = string
  default     = ""
  validation {
    condition     = var.route53_zone_name == "" || can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.route53_zone_name))
    error_message = "route53_zone_name must be empty or a DNS name."
  }
  validation {
    condition     = var.route53_zone_name == "" || var.domain_name == var.route53_zone_name || endswith(var.domain_name, ".${var.route53_zone_name}")
    error_message = "domain_name must lie inside route53_zone_name."
  }
}

variable "cloudfront_price_class" {
  description = "CloudFront price class (edge locations used)."
  type        = string
  default     = "PriceClass_100"
  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "enable_security_headers" {
  description = "Attach the security headers response policy (HSTS, nosniff, X-Frame-Options, Referrer-Policy, CSP) to every CloudFront cache behaviour. False only on emulators without the API (moto); never in prod."
  type        = bool
  default     = true
  validation {
    condition     = var.enable_security_headers || var.environment != "prod"
    error_message = "enable_security_headers must stay true in prod."
  }
}

variable "hsts_max_age_seconds" {
  description = "Strict-Transport-Security max-age in seconds (two years by default; includeSubDomains is always set)."
  type        = number
  default     = 63072000
  validation {
    condition     = var.hsts_max_age_seconds >= 0 && var.hsts_max_age_seconds <= 63072000 && floor(var.hsts_max_age_seconds) == var.hsts_max_age_seconds
    error_message = "hsts_max_age_seconds must be a whole number of seconds, 0-63072000 (two years)."
  }
}

variable "hsts_preload" {
  description = "Add preload to Strict-Transport-Security, so the domain can be submitted to browsers' HSTS preload lists (hard to undo: prod's apex only)."
  type        = bool
  default     = false
  validation {
    # The preload lists' own requirement (hstspreload.org): at least one year.
    condition     = !var.hsts_preload || var.hsts_max_age_seconds >= 31536000
    error_message = "hsts_preload needs hsts_max_age_seconds of at least 31536000 (one year)."
  }
}

variable "content_security_policy" {
  description = "Content-Security-Policy sent with every response. The baseline allows only same-origin scripts, styles and images (plus data: images), no plugins, no framing."
  type        = string
  default     = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"
  validation {
    condition     = can(regex("default-src ", var.content_security_policy)) && length(var.content_security_policy) <= 1783 && !can(regex("[\r\n]", var.content_security_policy))
    error_message = "content_security_policy must be one line of at most 1783 characters (CloudFront's limit) with a default-src directive."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Monitoring and cost
# ---------------------------------------------------------------------------------------------------------------------

variable "alert_email" {
  description = "E-mail address for CloudWatch alarms and budget alerts (the SNS subscription must be confirmed once)."
  type        = string
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address."
  }
}

variable "log_retention_days" {
  description = "Retention of the app, VPC flow log and other CloudWatch log groups."
  type        = number
  default     = 30
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "enable_replication" {
  description = "Replicate the static and backups buckets to replica_region and copy the database's daily AWS Backup recovery points there (prod: the seed's DR promise)."
  type        = bool
  default     = false
}

variable "replica_region" {
  description = "Region of the disaster-recovery copies (enable_replication); must differ from aws_region."
  type        = string
  default     = "us-west-2"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.replica_region))
    error_message = "replica_region must be an AWS region such as us-west-2."
  }
  validation {
    condition     = !var.enable_replication || var.replica_region != var.aws_region
    error_message = "replica_region must differ from aws_region: a copy in the same region survives nothing."
  }
}

variable "enable_budget" {
  description = "Create a monthly AWS Budgets cost alert to alert_email. Set false where the Budgets API is unavailable (moto)."
  type        = bool
  default     = true
}

variable "monthly_budget_usd" {
  description = "Monthly budget (USD) of resources tagged with this Environment, alerting at 80% actual and 100% forecast. Default (null): derived from what the environment costs idle plus 50% (output monthly_fixed_cost_usd; infra/README.md, \"Budgets\")."
  type        = number
  default     = null
  validation {
    condition     = var.monthly_budget_usd == null || try(var.monthly_budget_usd > 0, false)
    error_message = "monthly_budget_usd must be positive, or null to derive it."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Audit and threat detection (account-wide services: enable them in one environment per AWS account)
# ---------------------------------------------------------------------------------------------------------------------

variable "enable_cloudtrail" {
  description = "Create a multi-region CloudTrail trail of the account's management events, to a KMS-encrypted bucket of its own."
  type        = bool
  default     = true
}

variable "cloudtrail_retention_days" {
  description = "Days CloudTrail log files are kept (in Glacier after 90 days)."
  type        = number
  default     = 365
  validation {
    condition     = var.cloudtrail_retention_days > 90 && floor(var.cloudtrail_retention_days) == var.cloudtrail_retention_days
    error_message = "cloudtrail_retention_days must be a whole number above 90."
  }
}

variable "enable_guardduty" {
  description = "Create the account's GuardDuty detector in aws_region and send high and critical findings to the alert topic."
  type        = bool
  default     = true
}

variable "enable_security_hub" {
  description = "Enable Security Hub (AWS Foundational and CIS standards) in aws_region and send new high and critical findings to the alert topic."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------------------------------------------------
# Safety and endpoints
# ---------------------------------------------------------------------------------------------------------------------

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets, the ECR repository with images and secrets without a recovery window, and drop ALB deletion protection. Never in prod."
  type        = bool
  default     = false
  validation {
    condition     = !var.force_destroy || var.environment != "prod"
    error_message = "force_destroy must be false in prod."
  }
}

variable "s3_use_path_style" {
  description = "Address S3 as endpoint/bucket instead of bucket.endpoint. False for AWS; true for moto or LocalStack behind AWS_ENDPOINT_URL."
  type        = bool
  default     = false
}

variable "deny_insecure_transport" {
  description = "Deny plain-HTTP access to the static bucket (TLS only). False only for emulators reached over HTTP (moto, LocalStack), which enforce bucket policies; never in prod."
  type        = bool
  default     = true
  validation {
    condition     = var.deny_insecure_transport || var.environment != "prod"
    error_message = "deny_insecure_transport must stay true in prod."
  }
}

variable "static_path_pattern" {
  description = "CloudFront path pattern served from the static bucket; every other path goes to the app. The deploy publishes the image's hashed assets under this prefix (output static_path_pattern)."
  type        = string
  default     = "/assets/*"
  validation {
    condition     = can(regex("^/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/\\*$", var.static_path_pattern))
    error_message = "static_path_pattern must be a directory pattern such as /assets/* or /_next/static/*."
  }
}
