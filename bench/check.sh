#!/usr/bin/env bash
# bench/check.sh — what `dagger call check` costs on the sample TypeScript app, side by side with the same tools run
# one after another on the host. Writes bench/RESULTS.md. Needs the lab (make lab) and root.
#
#   cold   : an engine with empty state (state dir moved aside for the run, restored after): module load, image
#            pulls, npm ci from the registry, every stage
#   warm   : the same call again, nothing changed (the whole graph is a cache hit)
#   edit   : a source file changed (install is reused, lint/typecheck/test re-run)
#   host   : npm ci + eslint + tsc --noEmit + vitest + trivy + terraform fmt/validate + tflint on infra/terraform,
#            sequentially on the host, warm npm cache (check runs the infra stages on the module's infra too)
#   self   : this repository's own check (Go module with generated bindings, 7 stages), warm and after editing one
#            Go file, vs golangci-lint + go vet + go test -short + trivy + actionlint + terraform + tflint on the host
#   lab up : `lab.sh down; lab.sh up` with everything built (the cold figure is read from the lab's timings log)
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=hack/lab/lab.sh
W=${LAB_DIR:-/var/cache/pixels-petals/lab}
OUT=bench/RESULTS.md
APP=testdata/node-app
eval "$($LAB env)"
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc | xargs printf '%.1f'; }
run_check() { timeout 1800 dagger call --trivy-db="$LAB_TRIVY_DB" --source="$1" check >/dev/null 2>"$W/logs/bench-last.log" \
  || { tail -20 "$W/logs/bench-last.log"; echo "bench: dagger call check failed" >&2; exit 1; }; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
tar -C "$APP" --exclude=node_modules --exclude=dist -cf - . | tar -C "$work" -xf -
TFLINT_BIN=${TFLINT_BIN:-$W/tools/tflint}; ACTIONLINT_BIN=${ACTIONLINT_BIN:-$W/tools/actionlint}
# terraform fmt/validate and tflint on a copy of infra/terraform, offline through the project's CLI config (the
# provider mirror); what check's terraform and tflint stages do.
host_infra() {
  local d; d=$(mktemp -d); cp -a infra/terraform/. "$d/"; rm -rf "$d/.terraform"
  ( cd "$d" && export TF_CLI_CONFIG_FILE="$d/cli.tfrc" && terraform fmt -check -recursive >/dev/null \
    && terraform init -backend=false -input=false -lockfile=readonly >/dev/null \
    && terraform validate >/dev/null && "$TFLINT_BIN" --recursive >/dev/null ); local rc=$?; rm -rf "$d"; return $rc
}

echo "lab up (warm)…"
$LAB down >/dev/null; t0=$(now); $LAB up >/dev/null; lab_warm=$(secs "$t0" "$(now)")
lab_cold=$(awk -F'\t' '{ if (!($2 in first)) { first[$2]=$3; t+=$3 } } END{printf "%.0f", t}' "$W/logs/timings.tsv")

echo "cold check (empty engine state)…"
$LAB down >/dev/null
mv "$W/state" "$W/state.bench-saved"; mkdir -p "$W/state"
restore() { $LAB down >/dev/null 2>&1 || true; rm -rf "$W/state"; mv "$W/state.bench-saved" "$W/state"; $LAB up >/dev/null; }
trap 'restore; rm -rf "$work"' EXIT
$LAB up >/dev/null
t0=$(now); run_check "$work"; cold=$(secs "$t0" "$(now)")
restore; trap 'rm -rf "$work"' EXIT

echo "warm check…"
run_check "$work"
t0=$(now); run_check "$work"; warm=$(secs "$t0" "$(now)")

echo "check after editing a source file…"
echo "// bench edit $(date +%s%N)" >>"$work/src/cache.ts"
t0=$(now); run_check "$work"; edit=$(secs "$t0" "$(now)")

echo "same tools on the host…"
host=$(mktemp -d); tar -C "$work" -cf - . | tar -C "$host" -xf -
t0=$(now)
( cd "$host" && timeout 300 npm ci --prefer-offline >/dev/null 2>&1 && npx --no-install eslint . >/dev/null \
  && npx --no-install tsc --noEmit && npx --no-install vitest run >/dev/null 2>&1 \
  && "$TRIVY_BIN" fs --scanners vuln,secret,misconfig --cache-dir "$LAB_TRIVY_DB" --cache-backend memory \
       --skip-db-update --skip-java-db-update --skip-check-update --skip-version-check --disable-telemetry \
       --quiet --skip-dirs node_modules . >/dev/null 2>&1 ) && host_infra || { echo "host run failed" >&2; exit 1; }
hostt=$(secs "$t0" "$(now)"); rm -rf "$host"

echo "this repository's own check: warm, then one Go file edited…"
self=$(mktemp -d); trap 'rm -rf "$work" "$self"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -C "$self" -xf -
run_check "$self"
t0=$(now); run_check "$self"; self_warm=$(secs "$t0" "$(now)")
printf '\n// bench edit %s\n' "$(date +%s%N)" >>"$self/pipeline/checks/report.go"  # gofmt-clean: lint passes
t0=$(now); run_check "$self"; self_edit=$(secs "$t0" "$(now)")
echo "…and the same tools on the host…"
cp -a dagger.gen.go internal "$self/"   # the generated bindings `make generate` left here; check generates its own
t0=$(now)
( cd "$self" && "$W/tools/golangci-lint" run ./... >/dev/null && go vet ./... \
  && env PATH=/usr/local/go/bin:/usr/bin:/bin LAB_DIR=/nonexistent TRIVY_BIN= TFLINT_BIN= \
       go test -short -count=1 ./... >/dev/null \
  && "$TRIVY_BIN" fs --scanners vuln,secret,misconfig --cache-dir "$LAB_TRIVY_DB" --cache-backend memory \
       --skip-db-update --skip-java-db-update --skip-check-update --skip-version-check --disable-telemetry \
       --quiet . >/dev/null 2>&1 \
  && "$ACTIONLINT_BIN" .github/workflows/*.yml ) && host_infra || { echo "host self-check failed" >&2; exit 1; }
self_host=$(secs "$t0" "$(now)")

ratio() { echo "scale=2; $1 / $2" | bc; }
cat >"$OUT" <<MD
# Benchmarks

Machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), Dagger v0.19.10 lab (NET=${NET:-host}).
Run: $(date -u +%FT%TZ) by \`make bench\` (bench/check.sh). Sample app: testdata/node-app (Express + TypeScript, 147 npm packages).

| what | wall (s) | vs host |
|---|---|---|
| \`dagger call check\`, cold engine (module load, pulls, npm ci from the registry, all stages) | $cold | $(ratio "$cold" "$hostt")× |
| \`dagger call check\`, warm, nothing changed | $warm | $(ratio "$warm" "$hostt")× |
| \`dagger call check\`, warm, one source file edited (install reused) | $edit | $(ratio "$edit" "$hostt")× |
| host: npm ci + eslint + tsc --noEmit + vitest + trivy fs + terraform fmt/validate + tflint, one after another (warm npm cache) | $hostt | 1× |
| this repository's \`dagger call check\` (7 stages), warm, nothing changed | $self_warm | $(ratio "$self_warm" "$self_host")× |
| this repository's \`dagger call check\`, one Go file edited (Go caches warm) | $self_edit | $(ratio "$self_edit" "$self_host")× |
| host: golangci-lint + go vet + go test -short + trivy fs + actionlint + terraform + tflint, warm Go caches | $self_host | 1× |
| lab \`up\` cold (sum of first recorded build steps on this machine) | $lab_cold | |
| lab \`up\` warm (\`down\` then \`up\`, everything built) | $lab_warm | |
MD
cat "$OUT"
