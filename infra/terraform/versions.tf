terraform {
  # >= 1.9: variable validations refer to other variables; >= 1.11: write-only secret values (see modules/ecs).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # Partial configuration: bucket, key, region, dynamodb_table and encrypt come from
  # environments/<env>.backend.hcl (terraform init -backend-config=environments/<env>.backend.hcl).
  backend "s3" {}
}
