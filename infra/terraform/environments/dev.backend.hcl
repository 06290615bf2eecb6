bucket         = "pixelsandpetals-terraform-state"
key            = "pixelsandpetals/dev/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "pixelsandpetals-terraform-locks"
encrypt        = true
