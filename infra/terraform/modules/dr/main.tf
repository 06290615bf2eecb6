# Disaster recovery as the seed promises it: the static and backups buckets replicated to a second region, and
# (with a database) AWS Backup recovery points copied there. A region outage then costs a CloudFront origin switch
# and a restore (the drill is in infra/README.md), not the data.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
}

# --- replica buckets, in the replica region -----------------------------------------------------------------------

resource "aws_s3_bucket" "replica" {
  provider      = aws.replica
  for_each      = var.buckets
  bucket        = "${each.value.name}-replica"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "replica" {
  provider                = aws.replica
  for_each                = aws_s3_bucket.replica
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Replication needs versioning on both sides.
resource "aws_s3_bucket_versioning" "replica" {
  provider = aws.replica
  for_each = aws_s3_bucket.replica
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "replica" {
  provider = aws.replica
  for_each = aws_s3_bucket.replica
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.buckets[each.key].kms ? "aws:kms" : "AES256"
      kms_master_key_id = var.buckets[each.key].kms ? aws_kms_key.replica.arn : null
    }
    bucket_key_enabled = var.buckets[each.key].kms
  }
}

data "aws_iam_policy_document" "replica_tls_only" {
  for_each = aws_s3_bucket.replica
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "replica" {
  provider = aws.replica
  for_each = aws_s3_bucket.replica
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.replica_tls_only[each.key].json
}

# The replicas' own key in the replica region (keys are regional): SSE-KMS objects are re-encrypted with it.
resource "aws_kms_key" "replica" {
  provider                = aws.replica
  description             = "${var.name}: replicated objects and backup copies in ${var.replica_region}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

# --- replication ----------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "s3_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "replication" {
  name               = "${var.name}-s3-replication"
  assume_role_policy = data.aws_iam_policy_document.s3_assume.json
}

data "aws_iam_policy_document" "replication" {
  statement {
    sid       = "ReadSource"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [for b in var.buckets : b.arn]
  }
  statement {
    sid       = "ReadSourceVersions"
    actions   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
    resources = [for b in var.buckets : "${b.arn}/*"]
  }
  statement {
    sid       = "WriteReplicas"
    actions   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
    resources = [for b in aws_s3_bucket.replica : "${b.arn}/*"]
  }
  # SSE-KMS sources: read with the source's key (the AWS-managed aws/s3 key, through S3 only), write with ours.
  statement {
    sid       = "DecryptSource"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.*.amazonaws.com"]
    }
  }
  statement {
    sid       = "EncryptReplicas"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.replica.arn]
  }
}

resource "aws_iam_role_policy" "replication" {
  name   = "replicate"
  role   = aws_iam_role.replication.id
  policy = data.aws_iam_policy_document.replication.json
}

resource "aws_s3_bucket_replication_configuration" "this" {
  for_each   = var.buckets
  bucket     = each.value.name
  role       = aws_iam_role.replication.arn
  depends_on = [aws_s3_bucket_versioning.replica]

  rule {
    id     = "to-${var.replica_region}"
    status = "Enabled"
    filter {}
    # Deletions follow, so a cleanup of old assets does not leave the replica growing for ever; versioning on the
    # replica keeps what was deleted recoverable.
    delete_marker_replication {
      status = "Enabled"
    }
    dynamic "source_selection_criteria" {
      for_each = each.value.kms ? [1] : []
      content {
        sse_kms_encrypted_objects {
          status = "Enabled"
        }
      }
    }
    destination {
      bucket        = aws_s3_bucket.replica[each.key].arn
      storage_class = each.key == "backups" ? "STANDARD_IA" : "STANDARD"
      dynamic "encryption_configuration" {
        for_each = each.value.kms ? [1] : []
        content {
          replica_kms_key_id = aws_kms_key.replica.arn
        }
      }
    }
  }
}

# --- AWS Backup of the database, copied to the replica region -----------------------------------------------------

resource "aws_kms_key" "backup" {
  count                   = var.database_arn == null ? 0 : 1
  description             = "${var.name}: AWS Backup vault"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_backup_vault" "primary" {
  count         = var.database_arn == null ? 0 : 1
  name          = var.name
  kms_key_arn   = aws_kms_key.backup[0].arn
  force_destroy = var.force_destroy
}

resource "aws_backup_vault" "replica" {
  provider      = aws.replica
  count         = var.database_arn == null ? 0 : 1
  name          = "${var.name}-replica"
  kms_key_arn   = aws_kms_key.replica.arn
  force_destroy = var.force_destroy
}

resource "aws_backup_plan" "database" {
  count = var.database_arn == null ? 0 : 1
  name  = "${var.name}-database"
  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.primary[0].name
    schedule          = "cron(0 3 * * ? *)"
    start_window      = 60
    completion_window = 240
    lifecycle {
      delete_after = var.backup_retention_days
    }
    copy_action {
      destination_vault_arn = aws_backup_vault.replica[0].arn
      lifecycle {
        delete_after = var.backup_retention_days
      }
    }
  }
}

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  count              = var.database_arn == null ? 0 : 1
  name               = "${var.name}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
}

resource "aws_iam_role_policy_attachment" "backup" {
  for_each = var.database_arn == null ? toset([]) : toset([
    "service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores",
  ])
  role       = aws_iam_role.backup[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}

resource "aws_backup_selection" "database" {
  count        = var.database_arn == null ? 0 : 1
  name         = "database"
  plan_id      = aws_backup_plan.database[0].id
  iam_role_arn = aws_iam_role.backup[0].arn
  resources    = [var.database_arn]
}
