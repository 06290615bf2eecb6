# The budget follows from what an environment costs idle (see infra/README.md, "Budgets"). Pure arithmetic: no
# provider, so these runs need nothing but terraform.

variables {
  # dev as environments/dev.tfvars configures it: 3 AZs, one NAT gateway, the three default interface endpoints,
  # one 0.25 vCPU / 0.5 GB task, the WAF's five rules, two KMS keys, two secrets, seven alarms, three dashboards
  # (service, security, cost).
  az_count            = 3
  nat_gateways        = 1
  interface_endpoints = 3
  tasks               = 1
  task_cpu            = 256
  task_memory         = 512
  waf_rules           = 5
  kms_keys            = 2
  secrets             = 2
  alarms              = 7
  dashboards          = 3
}

run "dev_costs_167_usd_idle_and_budgets_260" {
  command = plan
  assert {
    condition     = output.monthly_fixed_usd == 167
    error_message = "dev's fixed cost: ${output.monthly_fixed_usd} USD, want 167 (NAT 32.85 + endpoints 65.70 + public IPv4 14.60 + ALB 22.27 + task 9.01 + WAF 10 + KMS 2 + secrets 0.80 + alarms 0.70 + dashboards 9)"
  }
  assert {
    condition     = output.monthly_budget_usd == 260
    error_message = "dev's budget: ${output.monthly_budget_usd} USD, want 260 (167 x 1.5, rounded up to 10)"
  }
}

run "a_nat_gateway_per_az_and_a_database_raise_the_budget" {
  command = plan
  variables {
    nat_gateways = 2
    database     = { instance_class = "db.t4g.micro", multi_az = true, storage_gb = 20 }
  }
  assert {
    condition     = output.monthly_fixed_usd > 167 + 32 + 23 && output.monthly_budget_usd > 260
    error_message = "a second NAT gateway (32.85) and a multi-AZ db.t4g.micro (23.36 + storage) must raise fixed cost and budget: ${output.monthly_fixed_usd} / ${output.monthly_budget_usd}"
  }
}

run "a_budget_below_the_fixed_cost_is_warned" {
  command = plan
  variables {
    budget_override = 50
  }
  expect_failures = [check.budget_covers_fixed_cost]
}

run "an_unpriced_instance_class_is_said" {
  command = plan
  variables {
    cache = { node_type = "cache.r7g.large", nodes = 2 }
  }
  expect_failures = [check.prices_known]
}
