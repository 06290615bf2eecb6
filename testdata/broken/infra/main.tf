terraform {
  required_version = ">= 1.11"
}

# Declared and never used: tflint's terraform_unused_declarations.
variable "unused_bucket_name" {
  type = string
}

# Not `terraform fmt`-formatted: the equals signs are not aligned.
output "region" {
  value = "eu-west-1"
  description= "Where the stack lives."
}
