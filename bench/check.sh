#!/usr/bin/env bash
# bench/check.sh — what `dagger call check` costs on the sample TypeScript app, side by side with the same tools run
# one after another on the host. Writes bench/RESULTS.md. Needs the lab (make lab) and root.
#
#   cold   : an engine with empty state (state dir moved aside for the run, restored after): module load, image
#            pulls, npm ci from the registry, every stage
#   warm   : the same call again, nothing changed (the whole graph is a cache hit)
#   edit   : a source file changed (install is reused, lint/typecheck/test re-run)
#   host   : npm ci + eslint + tsc --noEmit + vitest, sequentially on the host, warm npm cache
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
run_check() { timeout 900 dagger call --trivy-db="$LAB_TRIVY_DB" --source="$1" check >/dev/null 2>"$W/logs/bench-last.log" \
  || { tail -20 "$W/logs/bench-last.log"; echo "bench: dagger call check failed" >&2; exit 1; }; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
tar -C "$APP" --exclude=node_modules --exclude=dist -cf - . | tar -C "$work" -xf -

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
       --quiet --skip-dirs node_modules . >/dev/null 2>&1 ) || { echo "host run failed" >&2; exit 1; }
hostt=$(secs "$t0" "$(now)"); rm -rf "$host"

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
| host: npm ci + eslint + tsc --noEmit + vitest + trivy fs, one after another (warm npm cache) | $hostt | 1× |
| lab \`up\` cold (sum of first recorded build steps on this machine) | $lab_cold | |
| lab \`up\` warm (\`down\` then \`up\`, everything built) | $lab_warm | |
MD
cat "$OUT"
