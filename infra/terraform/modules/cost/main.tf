# What an environment costs before anyone visits it, from list prices, and the budget that follows from it.
# No resources and no provider: pure arithmetic on what the root module creates, so `terraform test` checks it
# offline and every environment's budget moves with its configuration (a second NAT gateway raises it).
#
# Prices: AWS list prices in us-east-1 (USD, 730 hours a month), as of 2026; other regions are within ~10-20%,
# which the headroom covers. Usage (requests, LCUs beyond the first, data transfer, logs, GuardDuty events) is not
# fixed cost: the headroom is there for it.
locals {
  hours = 730
  price = {
    nat_gateway_hour        = 0.045   # per NAT gateway
    interface_endpoint_hour = 0.01    # per interface endpoint per AZ
    public_ipv4_hour        = 0.005   # per public IPv4 address (NAT EIPs, the ALB's one per AZ)
    alb_hour                = 0.0225  # per load balancer
    alb_lcu_hour            = 0.008   # one LCU, the least an ALB with traffic is billed
    fargate_vcpu_hour       = 0.04048 # per vCPU
    fargate_gb_hour         = 0.004445
    waf_web_acl_month       = 5.0
    waf_rule_month          = 1.0 # per rule or managed rule group
    kms_key_month           = 1.0
    secret_month            = 0.40
    alarm_month             = 0.10 # standard-resolution metric alarm
    dashboard_month         = 3.0  # beyond the account's first three, which other stacks may use
    rds_gb_month            = 0.115
  }
  # Instance prices for the classes this stack offers; another class needs its price here (the check below says so).
  instance_hour = {
    "db.t4g.micro"     = 0.016
    "db.t4g.small"     = 0.032
    "db.t4g.medium"    = 0.065
    "cache.t4g.micro"  = 0.016
    "cache.t4g.small"  = 0.032
    "cache.t4g.medium" = 0.065
  }

  monthly = {
    nat_gateways        = var.nat_gateways * local.price.nat_gateway_hour * local.hours
    interface_endpoints = var.interface_endpoints * var.az_count * local.price.interface_endpoint_hour * local.hours
    public_ipv4         = (var.nat_gateways + var.az_count) * local.price.public_ipv4_hour * local.hours
    load_balancer       = (local.price.alb_hour + local.price.alb_lcu_hour) * local.hours
    fargate_tasks = var.tasks * (var.task_cpu / 1024 * local.price.fargate_vcpu_hour +
    var.task_memory / 1024 * local.price.fargate_gb_hour) * local.hours
    waf        = var.waf_rules == null ? 0 : local.price.waf_web_acl_month + var.waf_rules * local.price.waf_rule_month
    kms_keys   = var.kms_keys * local.price.kms_key_month
    secrets    = var.secrets * local.price.secret_month
    alarms     = var.alarms * local.price.alarm_month
    dashboards = var.dashboards * local.price.dashboard_month
    database = var.database == null ? 0 : (lookup(local.instance_hour, var.database.instance_class, 0) * local.hours *
    (var.database.multi_az ? 2 : 1) + var.database.storage_gb * local.price.rds_gb_month)
    cache = var.cache == null ? 0 : lookup(local.instance_hour, var.cache.node_type, 0) * local.hours * var.cache.nodes
  }
  fixed = ceil(sum(values(local.monthly)))
  # Rounded up to the next 10 USD so a budget does not change with every cent of a price list.
  budget = var.budget_override != null ? var.budget_override : ceil(local.fixed * (1 + var.headroom) / 10) * 10
}

check "prices_known" {
  assert {
    condition = (var.database == null || contains(keys(local.instance_hour), try(var.database.instance_class, ""))) && (
    var.cache == null || contains(keys(local.instance_hour), try(var.cache.node_type, "")))
    error_message = "modules/cost has no price for the database class or cache node type: add it to instance_hour, or the budget leaves it out."
  }
}

check "budget_covers_fixed_cost" {
  assert {
    condition     = local.budget >= local.fixed
    error_message = "The budget (${local.budget} USD) is below what this environment costs idle (${local.fixed} USD a month): its alerts would fire every month."
  }
}
