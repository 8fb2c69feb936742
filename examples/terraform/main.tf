# PrivateLink on privlink, declared with Terraform's AWS provider.
#
# A provider account publishes an HTTP service (two instances in two AZs behind an internal
# NLB) as an endpoint service with acceptance required; a consumer account with the same
# CIDR creates an interface endpoint to it and a gateway endpoint for S3; the provider
# accepts the connection. After `terraform apply`, traffic to the endpoint's ENI IP inside
# the consumer VPC's namespace reaches a target (see README.md in this folder).

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "endpoint" {
  description = "privlinkd's AWS API (privlinkd --api-listen)"
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "provider_access_key" {
  type = string
}
variable "provider_secret_key" {
  type      = string
  sensitive = true
}
variable "consumer_access_key" {
  type = string
}
variable "consumer_secret_key" {
  type      = string
  sensitive = true
}

variable "name" {
  description = "prefix of the names (NLB, target group, security groups, Name tags)"
  type        = string
  default     = "tfdemo"
}

locals {
  endpoints = {
    ec2   = var.endpoint
    elbv2 = var.endpoint
    sts   = var.endpoint
  }
}

provider "aws" {
  alias                   = "provider"
  region                  = "us-east-1"
  access_key              = var.provider_access_key
  secret_key              = var.provider_secret_key
  skip_metadata_api_check = true
  endpoints {
    ec2   = local.endpoints.ec2
    elbv2 = local.endpoints.elbv2
    sts   = local.endpoints.sts
  }
}

provider "aws" {
  alias                   = "consumer"
  region                  = "us-east-1"
  access_key              = var.consumer_access_key
  secret_key              = var.consumer_secret_key
  skip_metadata_api_check = true
  endpoints {
    ec2   = local.endpoints.ec2
    elbv2 = local.endpoints.elbv2
    sts   = local.endpoints.sts
  }
}

data "aws_caller_identity" "consumer" {
  provider = aws.consumer
}

# ---------------------------------------------------------------- provider account

resource "aws_vpc" "provider" {
  provider   = aws.provider
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "${var.name}-provider" }
}

resource "aws_subnet" "provider" {
  provider          = aws.provider
  for_each          = { "us-east-1a" = "10.0.1.0/24", "us-east-1b" = "10.0.2.0/24" }
  vpc_id            = aws_vpc.provider.id
  cidr_block        = each.value
  availability_zone = each.key
  tags              = { Name = "${var.name}-provider-${each.key}" }
}

resource "aws_security_group" "targets" {
  provider    = aws.provider
  name        = "${var.name}-targets"
  description = "HTTP from the NLB"
  vpc_id      = aws_vpc.provider.id
  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.provider.cidr_block]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "target" {
  provider               = aws.provider
  for_each               = aws_subnet.provider
  ami                    = "ami-0abcdef1234567890" # any AMI id: the instance is an address in the VPC's namespace
  instance_type          = "t3.micro"
  subnet_id              = each.value.id
  private_ip             = cidrhost(each.value.cidr_block, 10)
  vpc_security_group_ids = [aws_security_group.targets.id]
  tags                   = { Name = "${var.name}-target-${each.key}" }
}

resource "aws_lb_target_group" "web" {
  provider    = aws.provider
  name        = "${var.name}-web"
  port        = 8080
  protocol    = "TCP"
  vpc_id      = aws_vpc.provider.id
  target_type = "instance"
  health_check {
    protocol            = "TCP"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_target_group_attachment" "web" {
  provider         = aws.provider
  for_each         = aws_instance.target
  target_group_arn = aws_lb_target_group.web.arn
  target_id        = each.value.id
  port             = 8080
}

resource "aws_lb" "nlb" {
  provider           = aws.provider
  name               = "${var.name}-nlb"
  load_balancer_type = "network"
  internal           = true
  subnets            = [for s in aws_subnet.provider : s.id]
}

resource "aws_lb_listener" "http" {
  provider          = aws.provider
  load_balancer_arn = aws_lb.nlb.arn
  port              = 80
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_vpc_endpoint_service" "web" {
  provider                   = aws.provider
  acceptance_required        = true
  network_load_balancer_arns = [aws_lb.nlb.arn]
  allowed_principals         = ["arn:aws:iam::${data.aws_caller_identity.consumer.account_id}:root"]
  tags                       = { Name = "${var.name}-service" }
}

# ---------------------------------------------------------------- consumer account

resource "aws_vpc" "consumer" {
  provider             = aws.consumer
  cidr_block           = "10.0.0.0/16" # the provider's CIDR too: PrivateLink does not care
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "${var.name}-consumer" }
}

resource "aws_subnet" "consumer" {
  provider          = aws.consumer
  vpc_id            = aws_vpc.consumer.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
  tags              = { Name = "${var.name}-consumer-a" }
}

resource "aws_route_table" "consumer" {
  provider = aws.consumer
  vpc_id   = aws_vpc.consumer.id
  tags     = { Name = "${var.name}-consumer-private" }
}

resource "aws_route_table_association" "consumer" {
  provider       = aws.consumer
  subnet_id      = aws_subnet.consumer.id
  route_table_id = aws_route_table.consumer.id
}

resource "aws_instance" "client" {
  provider      = aws.consumer
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.consumer.id
  private_ip    = "10.0.1.10" # the same address as a provider target
  tags          = { Name = "${var.name}-client" }
}

resource "aws_security_group" "endpoint" {
  provider    = aws.consumer
  name        = "${var.name}-endpoint"
  description = "HTTP to the endpoint from the VPC"
  vpc_id      = aws_vpc.consumer.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.consumer.cidr_block]
  }
}

resource "aws_vpc_endpoint" "web" {
  provider           = aws.consumer
  vpc_id             = aws_vpc.consumer.id
  service_name       = aws_vpc_endpoint_service.web.service_name
  vpc_endpoint_type  = "Interface"
  subnet_ids         = [aws_subnet.consumer.id]
  security_group_ids = [aws_security_group.endpoint.id]
  subnet_configuration {
    subnet_id = aws_subnet.consumer.id
    ipv4      = "10.0.1.50"
  }
  tags = { Name = "${var.name}-web" }
}

resource "aws_vpc_endpoint" "s3" {
  provider          = aws.consumer
  vpc_id            = aws_vpc.consumer.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.consumer.id]
  tags              = { Name = "${var.name}-s3" }
}

# ---------------------------------------------------------------- the provider accepts

resource "aws_vpc_endpoint_connection_accepter" "web" {
  provider                = aws.provider
  vpc_endpoint_service_id = aws_vpc_endpoint_service.web.id
  vpc_endpoint_id         = aws_vpc_endpoint.web.id
}

# ---------------------------------------------------------------- outputs

output "provider_vpc_id" {
  value = aws_vpc.provider.id
}
output "consumer_vpc_id" {
  value = aws_vpc.consumer.id
}
output "service_name" {
  value = aws_vpc_endpoint_service.web.service_name
}
output "endpoint_id" {
  value = aws_vpc_endpoint.web.id
}
output "endpoint_state" {
  value = aws_vpc_endpoint_connection_accepter.web.vpc_endpoint_state
}
output "endpoint_ip" {
  value = one(aws_vpc_endpoint.web.subnet_configuration[*].ipv4)
}
output "endpoint_dns_name" {
  value = aws_vpc_endpoint.web.dns_entry[0].dns_name
}
output "s3_prefix_list_id" {
  value = aws_vpc_endpoint.s3.prefix_list_id
}
output "target_ips" {
  value = [for i in aws_instance.target : i.private_ip]
}
