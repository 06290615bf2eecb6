# moto can apply replication configurations and has no AWS Backup plans worth the name, and neither shows that a
# region's loss leaves the data whole: here the module is applied against mocked providers and its configuration is
# read back.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/pixelsandpetals-prod-role"
    }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:us-east-1:123456789012:key/primary"
    }
  }
}

mock_provider "aws" {
  alias = "replica"
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:us-west-2:123456789012:key/replica"
    }
  }
  mock_resource "aws_backup_vault" {
    defaults = {
      arn = "arn:aws:backup:us-west-2:123456789012:backup-vault:pixelsandpetals-prod-replica"
    }
  }
}

# Each replica bucket's ARN, as S3 would name it, so a rule pointing at the wrong replica shows.
override_resource {
  target = aws_s3_bucket.replica["static"]
  values = { arn = "arn:aws:s3:::pixelsandpetals-prod-static-123456789012-replica", id = "pixelsandpetals-prod-static-123456789012-replica" }
}

override_resource {
  target = aws_s3_bucket.replica["backups"]
  values = { arn = "arn:aws:s3:::pixelsandpetals-prod-backups-123456789012-replica", id = "pixelsandpetals-prod-backups-123456789012-replica" }
}

variables {
  name           = "pixelsandpetals-prod"
  replica_region = "us-west-2"
  buckets = {
    static  = { name = "pixelsandpetals-prod-static-123456789012", arn = "arn:aws:s3:::pixelsandpetals-prod-static-123456789012", kms = false }
    backups = { name = "pixelsandpetals-prod-backups-123456789012", arn = "arn:aws:s3:::pixelsandpetals-prod-backups-123456789012", kms = true }
  }
}

run "static_and_backups_replicate_to_the_replica_region" {
  command = apply
  assert {
    condition = alltrue([for k, r in aws_s3_bucket_replication_configuration.this :
      r.rule[0].status == "Enabled" && r.rule[0].destination[0].bucket == aws_s3_bucket.replica[k].arn &&
    r.rule[0].delete_marker_replication[0].status == "Enabled"])
    error_message = "every primary bucket must replicate, deletions included, to its own replica"
  }
  assert {
    condition     = toset(keys(aws_s3_bucket_replication_configuration.this)) == toset(["static", "backups"])
    error_message = "both the static and the backups bucket replicate"
  }
  assert {
    condition = (aws_s3_bucket_replication_configuration.this["backups"].rule[0].source_selection_criteria[0].sse_kms_encrypted_objects[0].status == "Enabled" &&
    aws_s3_bucket_replication_configuration.this["backups"].rule[0].destination[0].encryption_configuration[0].replica_kms_key_id == aws_kms_key.replica.arn)
    error_message = "SSE-KMS backups must be replicated (S3 skips them unless asked) and re-encrypted with the replica region's key"
  }
  assert {
    condition = alltrue([for k, v in aws_s3_bucket_versioning.replica : v.versioning_configuration[0].status == "Enabled"]) && alltrue([
      for k, p in aws_s3_bucket_public_access_block.replica : p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets
    ])
    error_message = "replicas must be versioned and private like their primaries"
  }
  assert {
    condition     = length(aws_backup_plan.database) == 0
    error_message = "no database, no backup plan"
  }
}

run "a_database_is_backed_up_daily_and_copied_to_the_replica_region" {
  command = apply
  variables {
    database_arn = "arn:aws:rds:us-east-1:123456789012:db:pixelsandpetals-prod"
  }
  assert {
    condition = alltrue([for r in aws_backup_plan.database[0].rule : (r.schedule == "cron(0 3 * * ? *)" &&
      one(r.copy_action).destination_vault_arn == aws_backup_vault.replica[0].arn &&
    one(r.lifecycle).delete_after == 35 && one(one(r.copy_action).lifecycle).delete_after == 35)]) && length(aws_backup_plan.database[0].rule) == 1
    error_message = "the database must be backed up daily, kept 35 days, and each recovery point copied to the replica region's vault"
  }
  assert {
    condition     = aws_backup_selection.database[0].resources == toset([var.database_arn])
    error_message = "the backup selection must name the database"
  }
}

run "a_region_that_is_not_one_is_refused" {
  command = plan
  variables {
    replica_region = "west"
  }
  expect_failures = [var.replica_region]
}
