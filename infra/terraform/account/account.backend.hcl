# The account stack is applied by an administrator, once per account. Its state sits in prod's state bucket (which
# `bootstrap --env prod` creates) under its own key: no environment's CI role may read or write that key.
bucket         = "pixelsandpetals-terraform-state-prod"
key            = "pixelsandpetals/account/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "pixelsandpetals-terraform-locks-prod"
encrypt        = true
