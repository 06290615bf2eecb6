# One bucket and one lock table per environment: the environment's CI roles reach only these (infra/README.md).
bucket         = "pixelsandpetals-terraform-state-dev"
key            = "pixelsandpetals/dev/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "pixelsandpetals-terraform-locks-dev"
encrypt        = true
