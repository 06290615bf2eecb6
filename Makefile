# One entry point for people and CI. Everything heavy is cached under $(LAB_DIR) (see hack/lab/lab.sh).
SHELL := /bin/bash
LAB := hack/lab/lab.sh
export LAB_DIR ?= /var/cache/pixels-petals/lab
# Every target that talks to the engine runs with the lab's environment.
WITH_LAB = set -euo pipefail; eval "$$($(LAB) env)";

.PHONY: demo test unit e2e lab lab-down lab-status generate lint bench broken-fixtures

## demo: bring the lab up (cold ~10 min, warm seconds) and run `dagger call check` on the sample app
demo: lab
	$(WITH_LAB) dagger call --trivy-db="$$LAB_TRIVY_DB" --source=testdata/node-app check

## test: every test — package tests, then end-to-end tests of the module through the lab (verbose: they print what
## visitors got during the releases, and each call's timing)
test: lab generate
	$(WITH_LAB) go test -count=1 -timeout 40m $$(go list ./... | grep -v '/e2e$$')
	$(WITH_LAB) go test -count=1 -timeout 80m -v ./e2e/

## unit: the package tests (they start moto and a registry themselves; trivy tests need the lab's TRIVY_BIN)
unit:
	go test -count=1 -timeout 30m ./pipeline/...

## e2e: only the end-to-end tests (lab must be up)
e2e: lab
	$(WITH_LAB) go test -count=1 -timeout 80m -v ./e2e/...

lab:
	$(LAB) up

lab-down:
	$(LAB) down

lab-status:
	$(LAB) status

## generate: the Dagger Go bindings (internal/dagger, dagger.gen.go), so the module builds and vets on the host
generate: lab
	$(WITH_LAB) dagger develop

## bench: cold/warm timings of check vs the same tools on the host (writes bench/RESULTS.md)
bench: lab
	$(WITH_LAB) bench/check.sh

## broken-fixtures: assemble testdata/broken/* overlays into runnable apps under .cache/fixtures/
broken-fixtures:
	@for o in testdata/broken/*/; do n=$$(basename $$o); d=.cache/fixtures/$$n; rm -rf $$d; mkdir -p $$d; \
	  (cd testdata/node-app && tar --exclude=node_modules --exclude=dist -cf - .) | tar -xf - -C $$d; \
	  cp -r $$o. $$d/; echo "$$d  (dagger call --source=$$d check)"; done
