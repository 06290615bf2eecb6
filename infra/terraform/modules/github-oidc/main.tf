# The three roles GitHub Actions assumes for one environment, each through the account's GitHub OIDC provider
# (infra/terraform/account creates it once per account; this module only refers to it):
#
#   plan     plan.yml on pull requests: read the environment, read its state, take its state lock. No writes.
#   apply    the infra job of deploy.yml: terraform apply. Broad, so it is fenced by its trust: only jobs in the
#            GitHub environment <env>-infra, which carries the required reviewers.
#   release  the release job of deploy.yml: push the image, roll out ECS, publish static files, invalidate
#            CloudFront, hold the deploy lock, read the state for the outputs. No Terraform writes, no IAM.
#
# Trust matches GitHub's default OIDC subject, so no repository customisation is needed: a job with an
# `environment:` gets repo:<owner>/<repo>:environment:<name>; a pull_request job without one gets
# repo:<owner>/<repo>:pull_request. Each trust also requires aud = sts.amazonaws.com.

locals {
  issuer = "token.actions.githubusercontent.com"
  subjects = {
    plan    = "repo:${var.github_repository}:pull_request"
    apply   = "repo:${var.github_repository}:environment:${var.apply_environment}"
    release = "repo:${var.github_repository}:environment:${var.release_environment}"
  }
  descriptions = {
    plan    = "GitHub Actions plans ${var.environment} on pull requests of ${var.github_repository} (read, state lock)"
    apply   = "GitHub Actions applies ${var.environment} from ${var.github_repository}, environment ${var.apply_environment}"
    release = "GitHub Actions releases the app to ${var.environment} from ${var.github_repository}, environment ${var.release_environment}"
  }

  # The S3 backend's DynamoDB items: the state lock, and the state's checksum that every state read compares.
  state_lock_id  = "${var.state_bucket}/${var.state_key}"
  state_digest   = "${local.state_lock_id}-md5"
  deploy_lock_id = "deploy/${var.environment}"
  partition      = split(":", var.oidc_provider_arn)[1]
  state_bucket   = "arn:${local.partition}:s3:::${var.state_bucket}"
  state_object   = "arn:${local.partition}:s3:::${var.state_bucket}/${var.state_key}"
  # The environment's own buckets (static, logs, backups) are named <app>-<env>-<purpose>-<account>.
  app_buckets = "arn:${local.partition}:s3:::${var.name}-*"
}

data "aws_iam_policy_document" "trust" {
  for_each = local.subjects
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = [each.value]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each             = local.subjects
  name                 = "${var.name}-github-${each.key}"
  description          = local.descriptions[each.key]
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = 3600
}

# ---------------------------------------------------------------------------------------------------------------------
# plan: read everything Terraform refreshes, read this environment's state, take and release its state lock.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket]
  }
  statement {
    sid       = "StateRead"
    actions   = ["s3:GetObject"]
    resources = [local.state_object]
  }
  # The lock item only: never the checksum item (a plan writes no state) and never the deploy lock.
  statement {
    sid       = "StateLock"
    actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
    resources = [var.lock_table_arn]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.state_lock_id]
    }
  }
  statement {
    sid       = "StateLockAndDigestRead"
    actions   = ["dynamodb:GetItem"]
    resources = [var.lock_table_arn]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.state_lock_id, local.state_digest]
    }
  }
  # What `terraform plan` refreshes: the configuration's resources and data sources, read-only. Bucket-level
  # reads only (s3:GetBucket*, s3:Get*Configuration): no object in any bucket but the state above.
  # secretsmanager:GetRandomPassword: plan opens the ephemeral random passwords (app secret, origin header).
  # The provider reads a bucket with HeadBucket, which S3 authorises as s3:ListBucket: this environment's buckets
  # (key names, never contents), else every plan fails refreshing them.
  statement {
    sid       = "RefreshAppBuckets"
    actions   = ["s3:ListBucket"]
    resources = [local.app_buckets]
  }
  statement {
    sid = "RefreshReadOnly"
    actions = [
      "acm:DescribeCertificate", "acm:GetCertificate", "acm:ListTagsForCertificate",
      "application-autoscaling:Describe*", "application-autoscaling:ListTagsForResource",
      "backup:Describe*", "backup:Get*", "backup:List*",
      "budgets:ListTagsForResource", "budgets:ViewBudget",
      "cloudfront:Get*", "cloudfront:List*",
      "cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*",
      "cloudwatch:Describe*", "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource",
      "ec2:Describe*", "ec2:GetManagedPrefixListEntries",
      "ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource",
      "ecs:Describe*", "ecs:List*",
      "elasticache:Describe*", "elasticache:ListTagsForResource",
      "elasticloadbalancing:Describe*",
      "events:Describe*", "events:List*",
      "guardduty:Get*", "guardduty:List*",
      "iam:Get*", "iam:List*",
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListResourceTags",
      "logs:Describe*", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
      "rds:Describe*", "rds:ListTagsForResource",
      "route53:Get*", "route53:List*",
      "s3:GetBucket*", "s3:Get*Configuration", "s3:ListAllMyBuckets",
      "secretsmanager:DescribeSecret", "secretsmanager:GetRandomPassword", "secretsmanager:GetResourcePolicy", "secretsmanager:ListSecretVersionIds",
      "securityhub:Describe*", "securityhub:Get*", "securityhub:List*",
      "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource",
      "wafv2:Get*", "wafv2:List*",
    ]
    resources = ["*"]
  }
  # The provider refreshes aws_secretsmanager_secret_version with GetSecretValue (only the version metadata ends
  # in the state: the value is write-only), and the origin header's value is read back with it. This environment's
  # secrets (<name>/app, <name>/origin-verify) only.
  statement {
    sid       = "RefreshAppSecretVersion"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:${local.partition}:secretsmanager:*:*:secret:${var.name}/*"]
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "plan-${var.environment}"
  role   = aws_iam_role.this["plan"].id
  policy = data.aws_iam_policy_document.plan.json
}

# ---------------------------------------------------------------------------------------------------------------------
# apply: everything terraform apply does, which includes creating IAM roles. S3 and DynamoDB are fenced to this
# environment: its state object, its lock table and its own buckets, so another environment's state is out of
# reach of these credentials. The account's OIDC provider belongs to infra/terraform/account.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "apply" {
  statement {
    sid         = "EverythingButStorage"
    not_actions = ["s3:*", "dynamodb:*"]
    resources   = ["*"]
  }
  statement {
    sid       = "OwnStateAndBuckets"
    actions   = ["s3:*"]
    resources = [local.state_bucket, local.state_object, local.app_buckets, "${local.app_buckets}/*"]
  }
  statement {
    sid       = "OwnLockTable"
    actions   = ["dynamodb:*"]
    resources = [var.lock_table_arn]
  }
  statement {
    sid    = "AccountOidcProviderIsNotOurs"
    effect = "Deny"
    actions = [
      "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ]
    resources = [var.oidc_provider_arn]
  }
}

resource "aws_iam_role_policy" "apply" {
  name   = "apply-${var.environment}"
  role   = aws_iam_role.this["apply"].id
  policy = data.aws_iam_policy_document.apply.json
}

# ---------------------------------------------------------------------------------------------------------------------
# release: exactly what the release stage calls, on this environment's resources only.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "release" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid = "EcrPushAppImage"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
      "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.ecr_repository_arn]
  }
  # Task definitions have no resource-level permissions for these actions.
  statement {
    sid       = "EcsTaskDefinitions"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"]
    resources = ["*"]
  }
  # A new revision carries the previous revision's tags, and tagging on create needs TagResource.
  statement {
    sid       = "EcsTagNewRevisions"
    actions   = ["ecs:TagResource"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RegisterTaskDefinition"]
    }
  }
  statement {
    sid       = "EcsRollout"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = [var.service_arn]
  }
  statement {
    sid       = "EcsWatchTasks"
    actions   = ["ecs:ListTasks", "ecs:DescribeTasks"]
    resources = ["*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }
  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = var.pass_role_arns
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
  statement {
    sid       = "StaticBucketList"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
    resources = [var.static_bucket_arn]
  }
  # The whole bucket: hashed assets, HTML, the publisher's manifest and the .releases/ manifests.
  # GetObjectVersion: a failed deploy restores the previous HTML from the versioned bucket.
  statement {
    sid       = "StaticBucketObjects"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:AbortMultipartUpload"]
    resources = ["${var.static_bucket_arn}/*"]
  }
  statement {
    sid       = "Invalidate"
    actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation", "cloudfront:GetDistribution"]
    resources = [var.distribution_arn]
  }
  # The deploy lock: one item, LockID deploy/<env>, in the environment's Terraform lock table.
  statement {
    sid       = "DeployLock"
    actions   = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [var.lock_table_arn]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.deploy_lock_id]
    }
  }
  # terraform output: the state object and the checksum item the S3 backend compares on every read. No lock.
  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket]
  }
  statement {
    sid       = "StateRead"
    actions   = ["s3:GetObject"]
    resources = [local.state_object]
  }
  statement {
    sid       = "StateDigestRead"
    actions   = ["dynamodb:GetItem"]
    resources = [var.lock_table_arn]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.state_digest]
    }
  }
}

resource "aws_iam_role_policy" "release" {
  name   = "release-${var.environment}"
  role   = aws_iam_role.this["release"].id
  policy = data.aws_iam_policy_document.release.json
}
