environment = "dev"
aws_region  = "us-east-1"
domain_name = "dev.pixelsandpetals.com"

route53_zone_name = "pixelsandpetals.com"
enable_dns        = true

ecs_min_capacity     = 1
ecs_max_capacity     = 3
ecs_desired_capacity = 1
ecs_cpu              = 256
ecs_memory           = 512

enable_database = false
enable_cache    = false # the app keeps no server-side cache or sessions yet (the seed: optional)
enable_waf      = true

enable_cloudtrail   = false # account-wide services: prod's stack owns them (see infra/README.md)
enable_guardduty    = false
enable_security_hub = false

alert_email = "alerts+dev@pixelsandpetals.com"

app_name          = "pixelsandpetals"
container_name    = "app"
container_port    = 3000
github_repository = "pixelsandpetals/pixelsandpetals"

single_nat_gateway = true
log_retention_days = 14
force_destroy      = true
