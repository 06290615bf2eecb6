bucket         = "pixelsandpetals-terraform-state"
key            = "pixelsandpetals/staging/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "pixelsandpetals-terraform-locks"
encrypt        = true
