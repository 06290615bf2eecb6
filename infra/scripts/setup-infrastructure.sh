#!/usr/bin/env bash
# Creates or updates one environment's infrastructure: terraform init (S3 backend of the environment), plan,
# then apply of exactly that plan. A thin wrapper for people; the pipeline does the same through pipeline/terraform.
set -euo pipefail

usage() {
  cat >&2 <<'USAGE'
usage: setup-infrastructure.sh --environment ENV --region REGION --domain DOMAIN [--registry] [--yes]

  --environment ENV   one of infra/terraform/environments/*.tfvars (dev, staging, prod)
  --region REGION     AWS region of the stack and of the state bucket, e.g. us-east-1
  --domain DOMAIN     public host name of the app, e.g. pixelsandpetals.com
  --registry          install providers from the public registry instead of the mirror in cli.tfrc
  --yes               apply without asking after the plan

Credentials come from the usual AWS environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...). The state bucket and lock
table named in environments/ENV.backend.hcl must exist (see infra/README.md).
USAGE
  exit 2
}

tf_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../terraform" && pwd)"
env="" region="" domain="" registry=false yes=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --environment) [[ $# -ge 2 ]] || usage; env="$2"; shift 2 ;;
    --region) [[ $# -ge 2 ]] || usage; region="$2"; shift 2 ;;
    --domain) [[ $# -ge 2 ]] || usage; domain="$2"; shift 2 ;;
    --registry) registry=true; shift ;;
    --yes) yes=true; shift ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[[ -n "$env" && -n "$region" && -n "$domain" ]] || usage

valid=()
for f in "$tf_dir"/environments/*.tfvars; do
  [[ -e "$f" ]] && valid+=("$(basename "$f" .tfvars)")
done
if [[ ! -f "$tf_dir/environments/$env.tfvars" ]]; then
  list="${valid[*]}"
  echo "unknown environment \"$env\": choose one of ${list// /, }" >&2
  exit 1
fi

command -v terraform >/dev/null || { echo "terraform not found on PATH: install Terraform >= 1.11" >&2; exit 1; }
if [[ "$registry" == false ]]; then
  mirror="$(sed -n 's/^ *path *= *"\(.*\)"/\1/p' "$tf_dir/cli.tfrc" | head -n1)"
  if [[ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]]; then
    echo "terraform provider mirror $mirror (from $tf_dir/cli.tfrc) has no hashicorp/aws: install it there or pass --registry" >&2
    exit 1
  fi
  export TF_CLI_CONFIG_FILE="$tf_dir/cli.tfrc"
fi
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

plan="$(mktemp -d)"
trap 'rm -rf "$plan"' EXIT
vars=(-var-file="environments/$env.tfvars" -var "aws_region=$region" -var "domain_name=$domain")

cd "$tf_dir"
terraform init -input=false -lockfile=readonly -reconfigure \
  -backend-config="environments/$env.backend.hcl" -backend-config="region=$region"
terraform plan -input=false "${vars[@]}" -out="$plan/$env.tfplan"
if [[ "$yes" != true ]]; then
  read -r -p "Apply this plan to $env? [y/N] " answer
  [[ "$answer" == [yY] ]] || { echo "not applied" >&2; exit 1; }
fi
terraform apply -input=false "$plan/$env.tfplan"
terraform output
