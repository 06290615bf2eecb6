bucket         = "pixelsandpetals-terraform-state"
key            = "pixelsandpetals/prod/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "pixelsandpetals-terraform-locks"
encrypt        = true
