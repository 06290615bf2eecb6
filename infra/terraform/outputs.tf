# The first nine outputs and static_path_pattern are the deploy targets: pipeline/terraform reads them (terraform output -json) and
# every later stage takes its names from there. Renaming one breaks the pipeline.

output "ecr_repository_url" {
  description = "Registry URL the deploy stage pushes the app image to."
  value       = module.ecr.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster of the app service."
  value       = module.ecs.cluster_name
}

output "ecs_service_name" {
  description = "ECS service the deploy stage rolls out."
  value       = module.ecs.service_name
}

output "container_name" {
  description = "Container in the task definition whose image the deploy stage replaces."
  value       = var.container_name
}

output "static_bucket" {
  description = "S3 bucket the static assets are published to."
  value       = module.s3.static_bucket
}

output "cloudfront_distribution_id" {
  description = "Distribution the deploy stage invalidates after publishing HTML."
  value       = module.cloudfront.distribution_id
}

output "app_url" {
  description = "Public URL of the app (smoke tests)."
  value       = "https://${var.domain_name}"
}

output "aws_region" {
  description = "Region of the stack."
  value       = var.aws_region
}

output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "static_path_pattern" {
  description = "Path pattern CloudFront serves from the static bucket; the deploy publishes the image's assets under its prefix."
  value       = var.static_path_pattern
}

output "ecs_task_family" {
  description = "Task definition family; Terraform's changes land in its latest revision, which the next deploy builds on."
  value       = module.ecs.task_family
}

output "cloudfront_domain_name" {
  description = "CloudFront domain name; point domain_name at it when enable_dns is false."
  value       = module.cloudfront.domain_name
}

output "alb_dns_name" {
  description = "ALB DNS name; point origin.<domain_name> at it when enable_dns is false."
  value       = module.alb.dns_name
}

output "certificate_validation_records" {
  description = "ACM DNS validation records; create them yourself when enable_dns is false."
  value       = module.dns.validation_records
}

output "github_plan_role_arn" {
  description = "Role plan.yml assumes on pull requests (repository variable AWS_PLAN_ROLE_ARN; prod's)."
  value       = module.github_oidc.plan_role_arn
}

output "github_apply_role_arn" {
  description = "Role deploy.yml's infra job assumes for terraform apply (variable AWS_APPLY_ROLE_ARN of the GitHub environment <env>-infra)."
  value       = module.github_oidc.apply_role_arn
}

output "github_release_role_arn" {
  description = "Role deploy.yml's release job assumes (variable AWS_RELEASE_ROLE_ARN of the GitHub environment <env>)."
  value       = module.github_oidc.release_role_arn
}

output "github_oidc_subjects" {
  description = "OIDC subject each CI role trusts (plan, apply, release); must match the workflows' jobs."
  value       = module.github_oidc.subjects
}

output "task_execution_role_arn" {
  description = "ECS task execution role (the deploy stage keeps it on new task definition revisions)."
  value       = module.ecs.execution_role_arn
}

output "task_role_arn" {
  description = "ECS task role of the app."
  value       = module.ecs.task_role_arn
}

output "log_group_name" {
  description = "CloudWatch log group of the app containers."
  value       = module.ecs.log_group_name
}

output "app_secret_arn" {
  description = "Secrets Manager secret of the app (JSON; key SECRET_KEY)."
  value       = module.ecs.app_secret_arn
}

output "logs_bucket" {
  description = "Bucket with ALB and CloudFront access logs."
  value       = module.s3.logs_bucket
}

output "backups_bucket" {
  description = "Bucket for backups."
  value       = module.s3.backups_bucket
}

output "alerts_topic_arn" {
  description = "SNS topic of all alarms."
  value       = module.monitoring.alerts_topic_arn
}

output "monthly_fixed_cost_usd" {
  description = "What this environment costs a month before any traffic (list prices, whole USD), by component and in total; the budget is derived from it."
  value       = { total = module.cost.monthly_fixed_usd, by_component = module.cost.monthly_fixed_breakdown_usd }
}

output "monthly_budget_usd" {
  description = "The monthly budget the cost alerts use."
  value       = module.cost.monthly_budget_usd
}

output "dr_copies" {
  description = "Disaster-recovery copies in replica_region (enable_replication): replica buckets and backup vaults; null when off."
  value       = var.enable_replication ? { region = var.replica_region, buckets = module.dr[0].replica_buckets, backup_vaults = module.dr[0].backup_vaults } : null
}
