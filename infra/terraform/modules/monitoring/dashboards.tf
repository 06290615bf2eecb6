# The security and cost dashboards the seed lists next to the service one (main.tf): what an on-call engineer opens
# when the WAF alarm fires or the budget alert arrives.

locals {
  # WAF metrics of a CLOUDFRONT-scope web ACL, like CloudFront's own, exist only in us-east-1.
  security_widgets = concat(var.web_acl_name == null ? [] : [
    { title = "WAF: allowed and blocked requests", region = "us-east-1", stat = "Sum", metrics = [
      ["AWS/WAFV2", "AllowedRequests", "WebACL", var.web_acl_name, "Rule", "ALL"],
      ["AWS/WAFV2", "BlockedRequests", "WebACL", var.web_acl_name, "Rule", "ALL"],
    ] },
    ], [
    # The ALB answers 403 itself to anything without the secret origin header: attempts to bypass CloudFront.
    { title = "Origin bypass attempts (ALB 4xx of its own) and target 4xx", region = var.region, stat = "Sum", metrics = [
      ["AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", "LoadBalancer", var.alb_arn_suffix],
      ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "LoadBalancer", var.alb_arn_suffix],
    ] },
    { title = "CloudFront 4xx and 5xx error rate (%)", region = "us-east-1", stat = "Average", metrics = [
      ["AWS/CloudFront", "4xxErrorRate", "DistributionId", var.distribution_id, "Region", "Global"],
      ["AWS/CloudFront", "5xxErrorRate", "DistributionId", var.distribution_id, "Region", "Global"],
    ] },
  ])
  # AWS/Billing's estimated charges (account-wide, us-east-1, every few hours; "Receive Billing Alerts" on).
  billed_services = ["AmazonEC2", "AmazonECS", "AWSELB", "AmazonCloudFront", "awswaf", "AmazonVPC", "AmazonS3", "AmazonCloudWatch"]
}

resource "aws_cloudwatch_dashboard" "security" {
  dashboard_name = "${var.name}-security"
  dashboard_body = jsonencode({
    widgets = concat([
      for i, w in local.security_widgets : {
        type       = "metric", x = (i % 2) * 12, y = floor(i / 2) * 6, width = 12, height = 6
        properties = { title = w.title, region = w.region, stat = w.stat, period = 300, view = "timeSeries", metrics = w.metrics }
      }
      ], [{
        type = "alarm", x = 0, y = ceil(length(local.security_widgets) / 2) * 6, width = 24, height = 3
        properties = {
          title  = "Alarms"
          alarms = concat([for a in aws_cloudwatch_metric_alarm.this : a.arn], [aws_cloudwatch_metric_alarm.latency.arn])
        }
    }])
  })
}

resource "aws_cloudwatch_dashboard" "cost" {
  dashboard_name = "${var.name}-cost"
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "text", x = 0, y = 0, width = 8, height = 8
        properties = {
          markdown = join("\n", concat([
            "## ${var.name}: fixed cost, USD a month",
            "List prices before any traffic (modules/cost); the budget alerts at 80% actual and 100% forecast.",
            "",
            "| component | USD |",
            "|---|---|",
            ], [for k in sort(keys(var.fixed_cost)) : "| ${k} | ${var.fixed_cost[k]} |"], [
            "| **budget** | **${var.monthly_budget_usd}** |",
          ]))
        }
      },
      {
        type = "metric", x = 8, y = 0, width = 16, height = 8
        properties = {
          title  = "Estimated charges this month by service (account)"
          region = "us-east-1", stat = "Maximum", period = 21600, view = "timeSeries"
          metrics = concat([["AWS/Billing", "EstimatedCharges", "Currency", "USD"]],
          [for s in local.billed_services : ["AWS/Billing", "EstimatedCharges", "ServiceName", s, "Currency", "USD"]])
        }
      },
    ]
  })
}
