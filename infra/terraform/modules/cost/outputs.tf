output "monthly_fixed_usd" {
  description = "What the environment costs a month before any traffic, whole USD (rounded up)."
  value       = local.fixed
}

output "monthly_fixed_breakdown_usd" {
  description = "The fixed cost by component, USD a month."
  value       = { for k, v in local.monthly : k => ceil(v * 100) / 100 if v > 0 }
}

output "monthly_budget_usd" {
  description = "The monthly budget: the fixed cost plus headroom, rounded up to 10 USD, or the override."
  value       = local.budget
}
