# One bucket and one lock table per environment: the environment's CI roles reach only these (infra/README.md).
bucket         = "pixelsandpetals-terraform-state-prod"
key            = "pixelsandpetals/prod/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "pixelsandpetals-terraform-locks-prod"
encrypt        = true
