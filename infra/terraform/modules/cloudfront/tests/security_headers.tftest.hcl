# moto has no CloudFront response headers policies, so the e2e applies dev without them: here the module is applied
# against a mocked AWS provider, and what visitors would get is read from the planned configuration.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name                       = "pixelsandpetals-test"
  domain_name                = "test.pixelsandpetals.com"
  certificate_arn            = "arn:aws:acm:us-east-1:123456789012:certificate/test"
  static_bucket              = "pixelsandpetals-test-static"
  static_bucket_arn          = "arn:aws:s3:::pixelsandpetals-test-static"
  static_bucket_domain       = "pixelsandpetals-test-static.s3.us-east-1.amazonaws.com"
  app_origin_domain          = "origin.test.pixelsandpetals.com"
  logs_bucket_domain         = "pixelsandpetals-test-logs.s3.us-east-1.amazonaws.com"
  price_class                = "PriceClass_100"
  origin_verify_header_name  = "X-Origin-Verify"
  origin_verify_header_value = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01"
  content_security_policy    = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"
}

run "every_behaviour_sends_the_security_headers" {
  command = apply
  assert {
    condition = (aws_cloudfront_distribution.this.default_cache_behavior[0].response_headers_policy_id == aws_cloudfront_response_headers_policy.security[0].id &&
    alltrue([for b in aws_cloudfront_distribution.this.ordered_cache_behavior : b.response_headers_policy_id == aws_cloudfront_response_headers_policy.security[0].id]))
    error_message = "a cache behaviour (app or static assets) without the security headers policy"
  }
  assert {
    condition = (
      aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].strict_transport_security[0].access_control_max_age_sec == 63072000 &&
      aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].strict_transport_security[0].include_subdomains &&
      !aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].strict_transport_security[0].preload &&
      aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].strict_transport_security[0].override
    )
    error_message = "HSTS: two years, subdomains, no preload outside prod, overriding the origin"
  }
  assert {
    condition = (
      aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].content_type_options[0].override &&
      aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].frame_options[0].frame_option == "DENY" &&
      aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].referrer_policy[0].referrer_policy == "strict-origin-when-cross-origin" &&
      aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].content_security_policy[0].content_security_policy == var.content_security_policy
    )
    error_message = "nosniff, frame-options DENY, referrer policy and the environment's CSP must all be sent"
  }
  assert {
    condition     = aws_cloudfront_distribution.this.viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021"
    error_message = "viewers must get TLS 1.2 or newer"
  }
}

run "prod_sets_hsts_preload" {
  command = plan
  variables {
    hsts_preload = true
  }
  assert {
    condition     = aws_cloudfront_response_headers_policy.security[0].security_headers_config[0].strict_transport_security[0].preload
    error_message = "hsts_preload must reach the header"
  }
}

run "an_empty_csp_is_refused" {
  command = plan
  variables {
    content_security_policy = ""
  }
  expect_failures = [var.content_security_policy]
}
