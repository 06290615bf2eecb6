output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (ALB, NAT gateways), one per AZ."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (ECS tasks, database, cache), one per AZ."
  value       = aws_subnet.private[*].id
}

output "nat_public_ips" {
  description = "Egress IPs of the private subnets, for allow-lists of third parties."
  value       = aws_eip.nat[*].public_ip
}

output "interface_endpoint_count" {
  description = "Interface VPC endpoints created (each billed in every AZ)."
  value       = length(var.interface_endpoints)
}
