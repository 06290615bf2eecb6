# One bucket and one lock table per environment: the environment's CI roles reach only these (infra/README.md).
bucket         = "pixelsandpetals-terraform-state-staging"
key            = "pixelsandpetals/staging/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "pixelsandpetals-terraform-locks-staging"
encrypt        = true
