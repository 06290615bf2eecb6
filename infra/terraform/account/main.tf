# Account-level resources, applied once per AWS account by an administrator (not by CI): the GitHub OIDC
# identity provider. IAM allows one provider per issuer URL per account, so it cannot live in an environment's
# stack: a second environment's apply would fail, and destroying one environment would cut off the others.
# Every environment refers to it by ARN (arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com).

provider "aws" {
  region = var.aws_region
  default_tags {
    tags = {
      Project     = var.app_name
      Environment = "account"
      ManagedBy   = "terraform"
      CostCenter  = var.cost_center
    }
  }
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
  # AWS trusts GitHub's issuer through its own CA store; the thumbprints are only kept for the API's sake.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]

  # Every environment's CI roles trust it: removing it locks CI out of all of them.
  lifecycle {
    prevent_destroy = true
  }
}
