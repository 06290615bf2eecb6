environment = "prod"
aws_region  = "us-east-1"
domain_name = "pixelsandpetals.com"

enable_dns = true

ecs_min_capacity     = 2
ecs_max_capacity     = 10
ecs_desired_capacity = 3
ecs_cpu              = 512
ecs_memory           = 1024

enable_database = false
enable_cache    = false # the app keeps no server-side cache or sessions yet (the seed: optional)
enable_waf      = true

enable_cloudtrail   = true # account-wide: this stack owns the account's trail, detector and hub
enable_guardduty    = true
enable_security_hub = true

alert_email = "alerts@pixelsandpetals.com"

app_name          = "pixelsandpetals"
container_name    = "app"
container_port    = 3000
github_repository = "pixelsandpetals/pixelsandpetals"

single_nat_gateway     = false
log_retention_days     = 90
cloudfront_price_class = "PriceClass_All"
hsts_preload           = true # the apex only: preload covers every subdomain and is slow to undo
force_destroy          = false

# Disaster recovery: static and backups buckets replicated, database recovery points copied (infra/README.md).
enable_replication = true
replica_region     = "us-west-2"
