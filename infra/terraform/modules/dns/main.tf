# Certificates are always requested (CloudFront's in us-east-1, the ALB's in its region). With enable_dns the
# module also writes their DNS validation records and the alias records into the Route 53 zone, and waits for
# validation; without it, someone else creates the records (output certificate_validation_records).

locals {
  origin_domain = "origin.${var.domain_name}"
  records = {
    for dvo in concat(
      tolist(aws_acm_certificate.cloudfront.domain_validation_options),
      tolist(aws_acm_certificate.alb.domain_validation_options),
    ) : dvo.domain_name => dvo
  }
}

resource "aws_acm_certificate" "cloudfront" {
  provider          = aws.us_east_1
  domain_name       = var.domain_name
  validation_method = "DNS"
  lifecycle {
    create_before_destroy = true
  }
}

# The ALB is CloudFront's origin, reached as origin.<domain>, so its certificate matches what CloudFront checks.
resource "aws_acm_certificate" "alb" {
  domain_name       = local.origin_domain
  validation_method = "DNS"
  lifecycle {
    create_before_destroy = true
  }
}

data "aws_route53_zone" "this" {
  count        = var.enable_dns ? 1 : 0
  name         = var.zone_name
  private_zone = false
}

resource "aws_route53_record" "validation" {
  for_each        = var.enable_dns ? local.records : {}
  zone_id         = data.aws_route53_zone.this[0].zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "cloudfront" {
  count                   = var.enable_dns ? 1 : 0
  provider                = aws.us_east_1
  certificate_arn         = aws_acm_certificate.cloudfront.arn
  validation_record_fqdns = [for d in aws_acm_certificate.cloudfront.domain_validation_options : aws_route53_record.validation[d.domain_name].fqdn]
}

resource "aws_acm_certificate_validation" "alb" {
  count                   = var.enable_dns ? 1 : 0
  certificate_arn         = aws_acm_certificate.alb.arn
  validation_record_fqdns = [for d in aws_acm_certificate.alb.domain_validation_options : aws_route53_record.validation[d.domain_name].fqdn]
}

resource "aws_route53_record" "app" {
  for_each = var.enable_dns ? toset(["A", "AAAA"]) : toset([])
  zone_id  = data.aws_route53_zone.this[0].zone_id
  name     = var.domain_name
  type     = each.key
  alias {
    name                   = var.cloudfront_domain_name
    zone_id                = var.cloudfront_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "origin" {
  count   = var.enable_dns ? 1 : 0
  zone_id = data.aws_route53_zone.this[0].zone_id
  name    = local.origin_domain
  type    = "A"
  alias {
    name                   = var.alb_dns_name
    zone_id                = var.alb_zone_id
    evaluate_target_health = true
  }
}
