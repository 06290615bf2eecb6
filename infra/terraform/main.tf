# Pixels & Petals: CloudFront → ALB → ECS Fargate (private subnets), ECR, S3, Route 53/ACM, CloudWatch, WAF.
# Terraform owns the infrastructure; the deploy stage owns the task definition revision and the running count
# (see modules/ecs and infra/README.md).

locals {
  name = "${var.app_name}-${var.environment}"
  tags = {
    Project     = var.app_name
    Environment = var.environment
    ManagedBy   = "terraform"
    CostCenter  = var.cost_center
  }
}

# Endpoints come from the standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables (moto, LocalStack),
# so nothing here changes between AWS and an emulator except path-style S3.
provider "aws" {
  region            = var.aws_region
  s3_use_path_style = var.s3_use_path_style
  default_tags {
    tags = local.tags
  }
}

# CloudFront only accepts certificates and WAF web ACLs from us-east-1.
provider "aws" {
  alias             = "us_east_1"
  region            = "us-east-1"
  s3_use_path_style = var.s3_use_path_style
  default_tags {
    tags = local.tags
  }
}

# Disaster recovery copies (modules/dr): only used with enable_replication.
provider "aws" {
  alias             = "replica"
  region            = var.replica_region
  s3_use_path_style = var.s3_use_path_style
  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}

# One customer-managed key for every log group and the alert topic: log data is encrypted with a key whose
# policy we control, and deleting the stack does not orphan readable logs.
resource "aws_kms_key" "logs" {
  description             = "${local.name} CloudWatch Logs and alerts"
  enable_key_rotation     = true
  deletion_window_in_days = var.force_destroy ? 7 : 30
  policy                  = data.aws_iam_policy_document.logs_key.json
}

resource "aws_kms_alias" "logs" {
  name          = "alias/${local.name}-logs"
  target_key_id = aws_kms_key.logs.key_id
}

data "aws_iam_policy_document" "logs_key" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.aws_region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.aws_region}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
  # EventBridge delivers GuardDuty and Security Hub findings to the (encrypted) alert topic.
  statement {
    sid       = "EventBridgePublishes"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

module "vpc" {
  source             = "./modules/vpc"
  name               = local.name
  cidr               = var.vpc_cidr
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway
  log_retention_days = var.log_retention_days
  logs_kms_key_arn   = aws_kms_key.logs.arn
}

module "security" {
  source             = "./modules/security"
  name               = local.name
  vpc_id             = module.vpc.vpc_id
  vpc_cidr           = module.vpc.vpc_cidr
  public_subnet_ids  = module.vpc.public_subnet_ids
  private_subnet_ids = module.vpc.private_subnet_ids
  container_port     = var.container_port
}

module "s3" {
  source        = "./modules/s3"
  name          = local.name
  account_id    = data.aws_caller_identity.current.account_id
  force_destroy = var.force_destroy
}

# The static and backups buckets replicated to replica_region, and the database's recovery points copied there:
# what a region's loss leaves (restore drill: infra/README.md, "Disaster recovery").
module "dr" {
  source         = "./modules/dr"
  count          = var.enable_replication ? 1 : 0
  name           = local.name
  replica_region = var.replica_region
  buckets = {
    static  = { name = module.s3.static_bucket, arn = module.s3.static_bucket_arn, kms = false }
    backups = { name = module.s3.backups_bucket, arn = module.s3.backups_bucket_arn, kms = true }
  }
  database_arn  = var.enable_database ? module.database[0].arn : null
  force_destroy = var.force_destroy
  providers = {
    aws         = aws
    aws.replica = aws.replica
  }
}

module "ecr" {
  source        = "./modules/ecr"
  name          = local.name
  force_destroy = var.force_destroy
}

module "dns" {
  source = "./modules/dns"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
  enable_dns             = var.enable_dns
  domain_name            = var.domain_name
  zone_name              = var.route53_zone_name == "" ? var.domain_name : var.route53_zone_name
  alb_dns_name           = module.alb.dns_name
  alb_zone_id            = module.alb.zone_id
  cloudfront_domain_name = module.cloudfront.domain_name
  cloudfront_zone_id     = module.cloudfront.hosted_zone_id
}

# The secret origin header: CloudFront adds it to every request to the ALB, the ALB forwards only requests that carry
# it. Generated by Secrets Manager (no random provider offline), written write-only and read back for the two
# places that need the value; both therefore hold it in the state, like every CloudFront custom header.
# Rotation: bump origin_verify_version and apply (see infra/README.md).
locals {
  origin_verify_header = "X-Origin-Verify"
}

ephemeral "aws_secretsmanager_random_password" "origin_verify" {
  password_length     = 64
  exclude_punctuation = true # the ALB's header condition reads * and ? as wildcards
}

resource "aws_secretsmanager_secret" "origin_verify" {
  name                    = "${local.name}/origin-verify"
  description             = "Value of the ${local.origin_verify_header} header CloudFront sends to the ${local.name} ALB"
  recovery_window_in_days = var.force_destroy ? 0 : 7
}

resource "aws_secretsmanager_secret_version" "origin_verify" {
  secret_id                = aws_secretsmanager_secret.origin_verify.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.origin_verify.random_password
  secret_string_wo_version = var.origin_verify_version
}

# Read after the version above: depends_on defers this read to the apply whenever the version changes (a new
# origin_verify_version), so the listener rule and the distribution get the new value in the same run.
data "aws_secretsmanager_secret_version" "origin_verify" {
  secret_id  = aws_secretsmanager_secret.origin_verify.id
  depends_on = [aws_secretsmanager_secret_version.origin_verify]
}

module "alb" {
  source              = "./modules/alb"
  name                = local.name
  vpc_id              = module.vpc.vpc_id
  subnet_ids          = module.vpc.public_subnet_ids
  security_group_id   = module.security.alb_security_group_id
  certificate_arn     = module.dns.alb_certificate_arn
  container_port      = var.container_port
  health_check_path   = var.health_check_path
  access_logs_bucket  = module.s3.logs_bucket
  deletion_protection = !var.force_destroy

  origin_verify_header_name  = local.origin_verify_header
  origin_verify_header_value = data.aws_secretsmanager_secret_version.origin_verify.secret_string
}

module "waf" {
  source = "./modules/waf"
  count  = var.enable_waf ? 1 : 0
  providers = {
    aws = aws.us_east_1
  }
  name       = local.name
  rate_limit = var.waf_rate_limit

  log_retention_days         = var.log_retention_days
  kms_deletion_window_days   = var.force_destroy ? 7 : 30
  alarm_topic_arn            = module.monitoring.alerts_topic_arn
  blocked_requests_threshold = var.waf_blocked_requests_threshold
}

# The WAF's metrics and its blocked-requests alarm live in us-east-1 (CLOUDFRONT scope), and CloudWatch notifies
# only SNS topics of the alarm's own region: outside us-east-1 the alarm cannot reach the alert topic.
check "waf_alarm_reaches_alert_topic" {
  assert {
    condition     = !var.enable_waf || var.aws_region == "us-east-1"
    error_message = "The WAF blocked-requests alarm is in us-east-1 but the alert topic is in ${var.aws_region}: CloudWatch cannot notify it. Deploy the stack in us-east-1 or add a us-east-1 alert topic."
  }
}

module "cloudfront" {
  source               = "./modules/cloudfront"
  name                 = local.name
  domain_name          = var.domain_name
  certificate_arn      = module.dns.cloudfront_certificate_arn
  static_bucket        = module.s3.static_bucket
  static_bucket_arn    = module.s3.static_bucket_arn
  static_bucket_domain = module.s3.static_bucket_regional_domain_name
  app_origin_domain    = module.dns.origin_domain_name
  logs_bucket_domain   = module.s3.logs_bucket_domain_name
  web_acl_arn          = var.enable_waf ? module.waf[0].web_acl_arn : null
  price_class          = var.cloudfront_price_class
  static_path_pattern  = var.static_path_pattern

  deny_insecure_transport = var.deny_insecure_transport

  origin_verify_header_name  = local.origin_verify_header
  origin_verify_header_value = data.aws_secretsmanager_secret_version.origin_verify.secret_string

  enable_security_headers = var.enable_security_headers
  hsts_max_age_seconds    = var.hsts_max_age_seconds
  hsts_preload            = var.hsts_preload
  content_security_policy = var.content_security_policy
}

module "database" {
  source                = "./modules/database"
  count                 = var.enable_database ? 1 : 0
  name                  = local.name
  vpc_id                = module.vpc.vpc_id
  subnet_ids            = module.vpc.private_subnet_ids
  client_security_group = module.security.ecs_security_group_id
  instance_class        = var.db_instance_class
  multi_az              = var.environment == "prod"
  deletion_protection   = !var.force_destroy
}

module "cache" {
  source                = "./modules/cache"
  count                 = var.enable_cache ? 1 : 0
  name                  = local.name
  vpc_id                = module.vpc.vpc_id
  subnet_ids            = module.vpc.private_subnet_ids
  client_security_group = module.security.ecs_security_group_id
  node_type             = var.cache_node_type
  replicas              = var.environment == "prod" ? 1 : 0
}

module "ecs" {
  source             = "./modules/ecs"
  name               = local.name
  region             = var.aws_region
  subnet_ids         = module.vpc.private_subnet_ids
  security_group_id  = module.security.ecs_security_group_id
  target_group_arn   = module.alb.target_group_arn
  container_name     = var.container_name
  container_port     = var.container_port
  image              = var.bootstrap_image
  ecr_repository_arn = module.ecr.repository_arn
  cpu                = var.ecs_cpu
  memory             = var.ecs_memory
  desired_count      = var.ecs_desired_capacity
  min_capacity       = var.ecs_min_capacity
  max_capacity       = var.ecs_max_capacity
  enable_autoscaling = var.enable_autoscaling
  cpu_target         = var.autoscaling_cpu_target
  memory_target      = var.autoscaling_memory_target
  log_retention_days = var.log_retention_days
  logs_kms_key_arn   = aws_kms_key.logs.arn
  force_destroy      = var.force_destroy
  environment = merge(
    { APP_ENV = var.environment, PORT = tostring(var.container_port) },
    var.enable_database ? { DATABASE_HOST = module.database[0].address, DATABASE_NAME = module.database[0].db_name } : {},
    var.enable_cache ? { CACHE_URL = module.cache[0].url } : {},
  )
  extra_secrets = var.enable_database ? { DATABASE_CREDENTIALS = module.database[0].credentials_secret_arn } : {}
}

module "monitoring" {
  source                  = "./modules/monitoring"
  name                    = local.name
  region                  = var.aws_region
  environment             = var.environment
  alert_email             = var.alert_email
  kms_key_arn             = aws_kms_key.logs.arn
  cluster_name            = module.ecs.cluster_name
  service_name            = module.ecs.service_name
  alb_arn_suffix          = module.alb.arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  distribution_id         = module.cloudfront.distribution_id
  enable_budget           = var.enable_budget
  monthly_budget_usd      = module.cost.monthly_budget_usd
  fixed_cost              = module.cost.monthly_fixed_breakdown_usd
  web_acl_name            = var.enable_waf ? local.name : null
}

# The budget follows from what this configuration costs idle (modules/cost; the arithmetic is in infra/README.md):
# every count below is what the modules above create for these variables.
module "cost" {
  source              = "./modules/cost"
  az_count            = var.az_count
  nat_gateways        = var.single_nat_gateway ? 1 : var.az_count
  interface_endpoints = module.vpc.interface_endpoint_count
  tasks               = var.ecs_min_capacity
  task_cpu            = var.ecs_cpu
  task_memory         = var.ecs_memory
  waf_rules           = var.enable_waf ? module.waf[0].rule_count : null
  kms_keys            = 1 + (var.enable_waf ? 1 : 0) + (var.enable_cloudtrail ? 1 : 0)
  secrets             = 2 + (var.enable_database ? 1 : 0) # app, origin header; RDS's managed master password
  alarms              = module.monitoring.alarm_count + (var.enable_waf ? 1 : 0)
  dashboards          = module.monitoring.dashboard_count
  database = var.enable_database ? {
    instance_class = var.db_instance_class, multi_az = var.environment == "prod", storage_gb = 20
  } : null
  cache = var.enable_cache ? {
    node_type = var.cache_node_type, nodes = var.environment == "prod" ? 2 : 1
  } : null
  budget_override = var.monthly_budget_usd
}

# Audit and threat detection. CloudTrail, GuardDuty and Security Hub are account-wide services: with several
# environments in one account, enable them in one stack only (prod); see infra/README.md.
module "cloudtrail" {
  source                   = "./modules/cloudtrail"
  count                    = var.enable_cloudtrail ? 1 : 0
  name                     = local.name
  retention_days           = var.cloudtrail_retention_days
  kms_deletion_window_days = var.force_destroy ? 7 : 30
  force_destroy            = var.force_destroy
  deny_insecure_transport  = var.deny_insecure_transport
}

module "threat_detection" {
  source              = "./modules/threat-detection"
  name                = local.name
  enable_guardduty    = var.enable_guardduty
  enable_security_hub = var.enable_security_hub
  alert_topic_arn     = module.monitoring.alerts_topic_arn
}

# The account's GitHub OIDC provider is infra/terraform/account's (one per account, never destroyed with an
# environment). Its ARN follows from the account and the issuer; the check warns at plan time when it is missing.
locals {
  partition                = data.aws_partition.current.partition
  github_oidc_provider_arn = "arn:${local.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"
  # This environment's state backend; environments/<env>.backend.hcl names the same (pipeline/terraform tests it).
  state_bucket = var.state_bucket != "" ? var.state_bucket : "${var.app_name}-terraform-state-${var.environment}"
  state_key    = "${var.app_name}/${var.environment}/terraform.tfstate"
  lock_table   = var.lock_table != "" ? var.lock_table : "${var.app_name}-terraform-locks-${var.environment}"
}

data "aws_partition" "current" {}

check "github_oidc_provider" {
  data "aws_iam_openid_connect_provider" "github" {
    arn = local.github_oidc_provider_arn
  }
  assert {
    condition     = contains(data.aws_iam_openid_connect_provider.github.client_id_list, "sts.amazonaws.com")
    error_message = "The account's GitHub OIDC provider (${local.github_oidc_provider_arn}) is missing or lacks audience sts.amazonaws.com: apply infra/terraform/account first."
  }
}

module "github_oidc" {
  source              = "./modules/github-oidc"
  name                = local.name
  environment         = var.environment
  github_repository   = var.github_repository
  oidc_provider_arn   = local.github_oidc_provider_arn
  apply_environment   = var.github_apply_environment != "" ? var.github_apply_environment : "${var.environment}-infra"
  release_environment = var.github_release_environment != "" ? var.github_release_environment : var.environment
  state_bucket        = local.state_bucket
  state_key           = local.state_key
  lock_table_arn      = "arn:${local.partition}:dynamodb:${var.aws_region}:${data.aws_caller_identity.current.account_id}:table/${local.lock_table}"
  ecr_repository_arn  = module.ecr.repository_arn
  cluster_arn         = module.ecs.cluster_arn
  service_arn         = module.ecs.service_arn
  pass_role_arns      = [module.ecs.execution_role_arn, module.ecs.task_role_arn]
  static_bucket_arn   = module.s3.static_bucket_arn
  distribution_arn    = module.cloudfront.distribution_arn
}
