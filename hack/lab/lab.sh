#!/usr/bin/env bash
# hack/lab/lab.sh — the project's offline lab: a real Dagger engine v0.19.10, its CLI, and a local OCI registry that
# mirrors docker.io with stand-in images, all built on this machine from the Go module proxy and Debian apt.
#
#   hack/lab/lab.sh up       build what is missing (cached in $LAB_DIR), start registry + engine (idempotent)
#   hack/lab/lab.sh down     stop engine + registry; remove netns, bridge, CNI iptables chains, empty cgroups
#   hack/lab/lab.sh status   what is running, and what each build step cost
#   hack/lab/lab.sh env      print the exports a shell needs: eval "$(hack/lab/lab.sh env)"
#
# Why it exists: the product is a Dagger module, and every stage must be proven on a real engine. This machine has
# no Docker and no container registry, so the lab builds the engine, its root filesystem, the Go SDK runtime image
# and the images the pipeline's containers use (node, golang, golangci-lint, ...) from packages only.
# Facts it relies on are written down in docs/lab.md.
#
# Knobs (env):
#   LAB_DIR=/var/cache/pixels-petals/lab   everything built or run lives here; a second `up` reuses it (seconds)
#   NET=host|offline     host (default): pipeline containers reach the package registries through NAT, as on a
#                        user's laptop; offline: engine + registry in netns $NETNS with only `lo`
#   LAB_WAIT_ENGINE_S=90 LAB_WAIT_REGISTRY_S=20     bounded waits
#   LAB_CA_CERTS_DIR=/usr/local/share/ca-certificates   extra CA certificates the engine installs into every
#                        container it runs (TLS-intercepting proxies); the same mechanism users behind one need
# If _EXPERIMENTAL_DAGGER_RUNNER_HOST already points at an engine that answers, `up` uses it and starts nothing.
set -euo pipefail

DAGGER_VERSION=v0.19.10
GOLANGCI_LINT_VERSION=v2.15.0
TRIVY_VERSION=v0.74.0
TFLINT_VERSION=v0.64.0
ACTIONLINT_VERSION=v1.7.12
W=${LAB_DIR:-/var/cache/pixels-petals/lab}
LAB_SRC=$(cd "$(dirname "$0")" && pwd)
NET=${NET:-host}
NETNS=${NETNS:-pp-lab}
ENGINE_ID=${ENGINE_ID:-pp-lab-engine}
WAIT_ENGINE_S=${LAB_WAIT_ENGINE_S:-90}
WAIT_REGISTRY_S=${LAB_WAIT_REGISTRY_S:-20}
CA_DIR=${LAB_CA_CERTS_DIR:-/usr/local/share/ca-certificates}
REG=127.0.0.1:5000
HOST_GOPROXY=$(go env GOPROXY 2>/dev/null || echo https://proxy.golang.org)
# The Go SDK runtime resolves a module's dependencies from its own file proxy first, then (host mode) the real one.
if [ "$NET" = host ]; then GOSDK_GOPROXY=${GOSDK_GOPROXY:-file:///goproxy,${HOST_GOPROXY%%,direct}}; else GOSDK_GOPROXY=${GOSDK_GOPROXY:-file:///goproxy}; fi
export PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
export GOMODCACHE=$W/gomodcache
export GONOSUMDB=github.com/dagger/dagger   # not in the checksum DB (404); the module zip is still hash-checked by go.sum
R=$W/engine-rootfs
CG_PARENT=pp-lab-$ENGINE_ID   # cgroup of the engine container (runc cgroupsPath)
NS_EXEC=(); [ "$NET" = offline ] && NS_EXEC=(ip netns exec "$NETNS")

die() { echo "lab: ERROR: $*" >&2; exit 1; }
log() { echo "=== [$(date -u +%H:%M:%S)] $*"; }

# logged <logfile> <what> <cmd...>: run in a subshell with set -e ACTIVE (never in a || context), tail log on failure
logged() {
  local lf=$1 what=$2 rc=0; shift 2
  set +e; ( set -e; "$@" ) >"$lf" 2>&1; rc=$?; set -e
  [ "$rc" = 0 ] || { tail -25 "$lf" >&2; die "$what failed (rc=$rc, full log: $lf)"; }
}

# run_step <name> <function>: runs it and records its wall time in logs/timings.tsv
run_step() {
  local name=$1 t0 t1; shift
  t0=$(date +%s.%N); log "$name"
  "$@"
  t1=$(date +%s.%N)
  printf '%s\t%s\t%.1f\n' "$(date -u +%FT%TZ)" "$name" "$(echo "$t1 - $t0" | bc)" >>"$W/logs/timings.tsv"
}

# ================================================================================================ build steps
step_apt() {
  local pkgs="runc dnsmasq-base iptables containernetworking-plugins docker-registry skopeo umoci debootstrap
    busybox-static ca-certificates jq python3 curl iproute2 bc shellcheck"
  # shellcheck disable=SC2086
  if ! dpkg -s $pkgs >/dev/null 2>&1; then
    apt-get update -qq >"$W/logs/apt.log" 2>&1 || { tail -5 "$W/logs/apt.log"; die "apt-get update failed"; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >>"$W/logs/apt.log" 2>&1 \
      || { tail -15 "$W/logs/apt.log"; die "apt-get install failed (see $W/logs/apt.log)"; }
    systemctl disable --now docker-registry >/dev/null 2>&1 || true  # the package's own registry service — unused
  fi
  [ -x /usr/local/go/bin/go ] || die "Go toolchain not found at /usr/local/go"
}

write_distconsts() { # engine/distconsts is a nested module NOT served by the Go proxy; transcribed from v0.19.10
  mkdir -p "$1"
  printf 'module github.com/dagger/dagger/engine/distconsts\n\ngo 1.22\n' >"$1/go.mod"
  : >"$1/go.sum"
  cat >"$1/consts.go" <<'EOF'
// Package consts exists to facilitate sharing values between our CI infra and
// dependent code (e.g. SDKs).
//
// These are kept separate from all other code to avoid breakage from
// backwards-incompatible changes (dev/ uses stable SDK, core/ uses dev).
package distconsts

const (
	EngineContainerName = "dagger-engine.dev"

	DefaultEngineSockAddr = "unix:///run/dagger/engine.sock"
)

const (
	RuncPath       = "/usr/local/bin/runc"
	DaggerInitPath = "/usr/local/bin/dagger-init"

	EngineDefaultStateDir = "/var/lib/dagger"

	EngineContainerBuiltinContentDir   = "/usr/local/share/dagger/content"
	GoSDKManifestDigestEnvName         = "DAGGER_GO_SDK_MANIFEST_DIGEST"
	PythonSDKManifestDigestEnvName     = "DAGGER_PYTHON_SDK_MANIFEST_DIGEST"
	TypescriptSDKManifestDigestEnvName = "DAGGER_TYPESCRIPT_SDK_MANIFEST_DIGEST"
)

const (
	AlpineVersion = "3.22.1"
	AlpineImage   = "alpine:" + AlpineVersion

	GolangVersion = "1.25.5"
	GolangImage   = "golang:" + GolangVersion + "-alpine"

	BusyboxVersion = "1.37.0"
	BusyboxImage   = "busybox:" + BusyboxVersion
)

const (
	OCIVersionAnnotation = "org.opencontainers.image.version"
)

const (
	EngineCustomCACertsDir = "/usr/local/share/ca-certificates"
)
EOF
}

step_source() {
  (cd / && go mod download github.com/dagger/dagger@$DAGGER_VERSION dagger.io/dagger@$DAGGER_VERSION) \
    || die "go mod download of dagger $DAGGER_VERSION failed (GOPROXY=$(go env GOPROXY))"
  if [ ! -f "$W/src/dagger/engine/distconsts/consts.go" ]; then
    rm -rf "$W/src/dagger"
    cp -a "$GOMODCACHE/github.com/dagger/dagger@$DAGGER_VERSION" "$W/src/dagger" && chmod -R u+w "$W/src/dagger"
    # the module zip omits nested modules; go.mod `replace`s them to ./sdk/go and ./engine/distconsts
    cp -a "$GOMODCACHE/dagger.io/dagger@$DAGGER_VERSION" "$W/src/dagger/sdk/go" && chmod -R u+w "$W/src/dagger/sdk/go"
    write_distconsts "$W/src/dagger/engine/distconsts"
  fi
  (cd "$W/src/dagger" && go mod download) >"$W/logs/gomod-download.log" 2>&1 \
    || { tail -20 "$W/logs/gomod-download.log"; die "some dependency is not served by the Go proxy (see above)"; }
}


build_bins() {
  local ldf="-s -w -X github.com/dagger/dagger/engine.Version=$DAGGER_VERSION -X github.com/dagger/dagger/engine.Tag=$DAGGER_VERSION"
  local spec out pkg fl
  cd "$W/src/dagger"; export CGO_ENABLED=0
  for spec in "dagger ./cmd/dagger v" "dagger-engine ./cmd/engine v" "dagger-init ./cmd/init -" \
              "dnsname ./cmd/dnsname -" "dial-stdio ./cmd/dialstdio -" "codegen ./cmd/codegen v"; do
    read -r out pkg fl <<<"$spec"
    [ -x "$W/bin/$out" ] && continue
    if [ "$fl" = v ]; then go build -trimpath -ldflags "$ldf" -o "$W/bin/$out.tmp" "$pkg"
    else go build -trimpath -ldflags "-s -w" -o "$W/bin/$out.tmp" "$pkg"; fi
    mv "$W/bin/$out.tmp" "$W/bin/$out"
  done
}
step_build() {
  logged "$W/logs/build.log" "go build of the Dagger CLI and engine" build_bins
  "$W/bin/dagger" version
}

# Tools that go into stand-in images, built from the Go module proxy like the engine.
build_tools() {
  mkdir -p "$W/tools"
  if [ ! -x "$W/tools/golangci-lint" ]; then
    GOBIN="$W/tools/.tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
      "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
    mv "$W/tools/.tmp/golangci-lint" "$W/tools/golangci-lint"
  fi
  # trivy's module builds only with encoding/json/v2 enabled; ~17 min cold on 2 cores, so it is built once and kept.
  if [ ! -x "$W/tools/trivy" ]; then
    GOBIN="$W/tools/.tmp" CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go install -trimpath -ldflags "-s -w" \
      "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION"
    mv "$W/tools/.tmp/trivy" "$W/tools/trivy"
  fi
  if [ ! -x "$W/tools/tflint" ]; then   # terraform's own lint; its bundled terraform ruleset works offline
    GOBIN="$W/tools/.tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
      "github.com/terraform-linters/tflint@$TFLINT_VERSION"
    mv "$W/tools/.tmp/tflint" "$W/tools/tflint"
  fi
  if [ ! -x "$W/tools/actionlint" ]; then
    GOBIN="$W/tools/.tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
      "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
    mv "$W/tools/.tmp/actionlint" "$W/tools/actionlint"
  fi
}
step_tools() { logged "$W/logs/tools.log" "building tools for stand-in images" build_tools; }

step_rootfs() {
  if [ ! -x "$R/usr/sbin/dnsmasq" ]; then
    rm -rf "$R.tmp"
    debootstrap --variant=minbase \
      --include=dnsmasq-base,iptables,nftables,ca-certificates,git,openssh-client,pigz,xz-utils,containernetworking-plugins,runc,procps,iproute2,ripgrep \
      bookworm "$R.tmp" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$W/logs/debootstrap-engine.log" 2>&1 \
      || { tail -20 "$W/logs/debootstrap-engine.log"; die "debootstrap of the engine rootfs failed"; }
    mv "$R.tmp" "$R"
  fi
  mkdir -p "$R"/{opt/cni/bin,usr/local/bin,var/lib/dagger,run/dagger,etc/dagger,usr/local/share/dagger/content}
  cp "$W/bin/dagger-engine" "$W/bin/dagger-init" "$R/usr/local/bin/"
  cp "$W/bin/dial-stdio" "$R/usr/bin/dial-stdio"; ln -sf /usr/bin/dial-stdio "$R/usr/bin/buildctl"
  cp "$W/bin/dnsname" "$R/opt/cni/bin/"
  for p in bridge loopback firewall host-local; do cp "$R/usr/lib/cni/$p" "$R/opt/cni/bin/"; done
  ln -sf /usr/sbin/runc "$R/usr/local/bin/runc"                          # distconsts.RuncPath
  ln -sf /usr/sbin/xtables-legacy-multi "$R/usr/bin/xtables-legacy-multi" # engine re-points /usr/bin/iptables* here
  ln -sf /usr/sbin/xtables-nft-multi "$R/usr/bin/xtables-nft-multi"
  if [ "$NET" = offline ]; then echo "nameserver 127.0.0.1" >"$R/etc/resolv.conf"; else cp /etc/resolv.conf "$R/etc/resolv.conf"; fi
  # The engine installs every certificate in its /usr/local/share/ca-certificates into the containers it runs.
  rm -rf "$R/usr/local/share/ca-certificates"; mkdir -p "$R/usr/local/share/ca-certificates"
  if [ -d "$CA_DIR" ]; then find "$CA_DIR" -maxdepth 1 -name '*.crt' -exec cp {} "$R/usr/local/share/ca-certificates/" \;; fi
  cat >"$R/etc/dagger/engine.json" <<JSON
{
  "logLevel": "info",
  "registries": {
    "docker.io": {"mirrors": ["$REG"]},
    "ghcr.io": {"mirrors": ["$REG"]},
    "$REG": {"http": true}
  }
}
JSON
}

# ---- stand-in images. A user's engine pulls node/golang/... from Docker Hub; the lab's engine pulls the same
# references from its docker.io mirror, where these images, built from Debian packages and host binaries, stand in.
umoci_new() { # <layout> <tag> <bundle>: fresh image layout unpacked at <bundle>/rootfs
  rm -rf "$1" "$3"; umoci init --layout "$1"; umoci new --image "$1:$2"; umoci unpack --image "$1:$2" "$3"
}
busybox_rootfs() { # <rootfs>
  local RF=$1 a
  mkdir -p "$RF"/{bin,etc/ssl/certs,tmp,root,usr/local/bin}
  chmod 1777 "$RF/tmp"
  cp /bin/busybox "$RF/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$RF/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$RF/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$RF/etc/group"
  cp /etc/ssl/certs/ca-certificates.crt "$RF/etc/ssl/certs/"
}
ENV_PATH=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

build_busybox_image() {
  cd "$W/images"
  umoci_new busybox-oci 1.35 bb-bundle
  busybox_rootfs bb-bundle/rootfs
  umoci repack --image busybox-oci:1.35 bb-bundle
  umoci config --image busybox-oci:1.35 --os linux --architecture amd64 --config.cmd /bin/sh --config.env "$ENV_PATH"
  rm -rf bb-bundle
}

# Debian bookworm minbase: the base of the node and golang stand-ins (like the official *-bookworm images).
build_debian_base() {
  rm -rf "$W/images/bookworm.tmp"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$W/images/bookworm.tmp" \
    "${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  rm -rf "$W/images/bookworm.tmp"/var/cache/apt/archives/*.deb "$W/images/bookworm.tmp"/var/lib/apt/lists/*
  mv "$W/images/bookworm.tmp" "$W/images/bookworm-rootfs"
}

build_node_image() {
  local ver; ver=$(node --version | sed 's/^v//')
  cd "$W/images"
  umoci_new node-oci 20-bookworm-slim node-bundle
  cp -a bookworm-rootfs/. node-bundle/rootfs/
  cp "$(command -v node)" node-bundle/rootfs/usr/local/bin/node
  mkdir -p node-bundle/rootfs/usr/local/lib/node_modules
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." node-bundle/rootfs/usr/local/lib/node_modules/npm
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js node-bundle/rootfs/usr/local/bin/npm
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js node-bundle/rootfs/usr/local/bin/npx
  node-bundle/rootfs/usr/local/bin/node --version >/dev/null
  # The official image's unprivileged user (uid 1000), which app Dockerfiles switch to with `USER node`.
  echo 'node:x:1000:1000::/home/node:/bin/sh' >>node-bundle/rootfs/etc/passwd
  echo 'node:x:1000:' >>node-bundle/rootfs/etc/group
  mkdir -p node-bundle/rootfs/home/node && chown 1000:1000 node-bundle/rootfs/home/node
  umoci repack --image node-oci:20-bookworm-slim node-bundle
  umoci config --image node-oci:20-bookworm-slim --os linux --architecture amd64 --config.cmd node \
    --config.env "$ENV_PATH" --config.env NODE_VERSION="$ver"
  rm -rf node-bundle
}

build_golang_image() {
  local ver; ver=$(go env GOVERSION | sed 's/^go//')
  cd "$W/images"
  umoci_new golang-oci bookworm golang-bundle
  cp -a bookworm-rootfs/. golang-bundle/rootfs/
  cp -a /usr/local/go golang-bundle/rootfs/usr/local/go
  rm -rf golang-bundle/rootfs/usr/local/go/{test,api,doc}
  mkdir -p golang-bundle/rootfs/go/{bin,src,pkg/mod}
  umoci repack --image golang-oci:bookworm golang-bundle
  umoci config --image golang-oci:bookworm --os linux --architecture amd64 --config.workingdir /go \
    --config.env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env GOPATH=/go --config.env GOTOOLCHAIN=local --config.env GOLANG_VERSION="$ver"
  rm -rf golang-bundle
}

build_golangci_lint_image() { # the official image is golang + /usr/bin/golangci-lint; the pipeline uses the binary
  cd "$W/images"
  umoci_new golangci-lint-oci "$GOLANGCI_LINT_VERSION" gl-bundle
  busybox_rootfs gl-bundle/rootfs
  mkdir -p gl-bundle/rootfs/usr/bin
  cp "$W/tools/golangci-lint" gl-bundle/rootfs/usr/bin/golangci-lint
  umoci repack --image "golangci-lint-oci:$GOLANGCI_LINT_VERSION" gl-bundle
  umoci config --image "golangci-lint-oci:$GOLANGCI_LINT_VERSION" --os linux --architecture amd64 \
    --config.cmd /usr/bin/golangci-lint --config.env "$ENV_PATH"
  rm -rf gl-bundle
}

# busybox + one binary at /usr/local/bin/<name> as the entrypoint: the shape of the official alpine images of
# trivy and tflint (the pipeline runs their commands through sh, which busybox provides).
binary_image() { # <layout> <tag> <binary>
  local layout=$1 tag=$2 name; name=$(basename "$3")
  cd "$W/images"
  umoci_new "$layout" "$tag" "$layout-bundle"
  busybox_rootfs "$layout-bundle/rootfs"
  cp "$3" "$layout-bundle/rootfs/usr/local/bin/$name"
  umoci repack --image "$layout:$tag" "$layout-bundle"
  umoci config --image "$layout:$tag" --os linux --architecture amd64 \
    --config.entrypoint "/usr/local/bin/$name" --config.env "$ENV_PATH"
  rm -rf "$layout-bundle"
}
build_trivy_image() { binary_image trivy-oci "${TRIVY_VERSION#v}" "$W/tools/trivy"; }
build_tflint_image() { binary_image tflint-oci "$TFLINT_VERSION" "$W/tools/tflint"; } # official: ghcr.io

# The official image is alpine + terraform. Ours also carries the preinstalled AWS provider in an implied local
# mirror directory (/usr/share/terraform/plugins), as a company image behind a firewall would: terraform init then
# needs no registry.
TERRAFORM_VERSION=1.11.4
build_terraform_image() {
  [ -x /usr/local/bin/terraform ] || die "terraform not found at /usr/local/bin/terraform (preinstalled on these machines)"
  [ -d /opt/tf-plugins/registry.terraform.io/hashicorp/aws ] || die "the hashicorp/aws provider mirror is missing from /opt/tf-plugins"
  cd "$W/images"
  umoci_new terraform-oci "$TERRAFORM_VERSION" tf-bundle
  busybox_rootfs tf-bundle/rootfs
  cp /usr/local/bin/terraform tf-bundle/rootfs/usr/local/bin/terraform
  mkdir -p tf-bundle/rootfs/usr/share/terraform/plugins
  cp -a /opt/tf-plugins/. tf-bundle/rootfs/usr/share/terraform/plugins/
  umoci repack --image "terraform-oci:$TERRAFORM_VERSION" tf-bundle
  umoci config --image "terraform-oci:$TERRAFORM_VERSION" --os linux --architecture amd64 \
    --config.entrypoint /usr/local/bin/terraform --config.env "$ENV_PATH"
  rm -rf tf-bundle
}

# The official image is alpine + actionlint + shellcheck (which actionlint runs on every `run:` script). Ours
# carries Debian's shellcheck with the shared libraries it links.
build_actionlint_image() {
  local tag=${ACTIONLINT_VERSION#v} lib
  command -v shellcheck >/dev/null || die "shellcheck not found (apt package shellcheck)"
  cd "$W/images"
  umoci_new actionlint-oci "$tag" al-bundle
  busybox_rootfs al-bundle/rootfs
  cp "$W/tools/actionlint" al-bundle/rootfs/usr/local/bin/actionlint
  cp "$(command -v shellcheck)" al-bundle/rootfs/usr/local/bin/shellcheck
  for lib in $(ldd "$(command -v shellcheck)" | grep -o '/[^ ]*'); do cp -L --parents "$lib" al-bundle/rootfs/; done
  chroot al-bundle/rootfs /usr/local/bin/shellcheck --version >/dev/null || die "shellcheck does not run in the actionlint image"
  umoci repack --image "actionlint-oci:$tag" al-bundle
  umoci config --image "actionlint-oci:$tag" --os linux --architecture amd64 \
    --config.entrypoint /usr/local/bin/actionlint --config.env "$ENV_PATH"
  rm -rf al-bundle
}

step_images() {
  [ -f "$W/images/busybox-oci/index.json" ] || logged "$W/logs/image-busybox.log" "busybox image" build_busybox_image
  [ -d "$W/images/bookworm-rootfs" ] || logged "$W/logs/image-bookworm.log" "debootstrap of the image base" build_debian_base
  # .node-user: images built before the node user was added are rebuilt once.
  [ -f "$W/images/node-oci/index.json" ] && [ -f "$W/images/node-oci.node-user" ] \
    || { logged "$W/logs/image-node.log" "node image" build_node_image && touch "$W/images/node-oci.node-user"; }
  [ -f "$W/images/golang-oci/index.json" ] || logged "$W/logs/image-golang.log" "golang image" build_golang_image
  [ -f "$W/images/golangci-lint-oci/index.json" ] || logged "$W/logs/image-golangci-lint.log" "golangci-lint image" build_golangci_lint_image
  [ -f "$W/images/trivy-oci/index.json" ] || logged "$W/logs/image-trivy.log" "trivy image" build_trivy_image
  [ -f "$W/images/terraform-oci/index.json" ] || logged "$W/logs/image-terraform.log" "terraform image" build_terraform_image
  [ -f "$W/images/tflint-oci/index.json" ] || logged "$W/logs/image-tflint.log" "tflint image" build_tflint_image
  [ -f "$W/images/actionlint-oci/index.json" ] || logged "$W/logs/image-actionlint.log" "actionlint image" build_actionlint_image
}

# A small trivy vulnerability DB built from the fixtures in hack/lab/trivydb (the real DB is downloaded from a
# registry this machine cannot reach). Rebuilt when the fixtures change.
build_trivy_db() {
  local src=$LAB_SRC/trivydb
  local sum; sum=$(cat "$src"/*.go "$src"/go.mod | sha256sum | cut -c1-16)
  [ "$(cat "$W/trivy-cache/.fixtures" 2>/dev/null)" = "$sum" ] && return 0
  rm -rf "$W/trivy-cache"
  (cd "$src" && go run . -out "$W/trivy-cache")
  echo "$sum" >"$W/trivy-cache/.fixtures"
}
step_trivy_db() { logged "$W/logs/trivy-db.log" "building the fixture trivy DB" build_trivy_db; }

# layout:tag -> docker.io names they stand in for (the registry is the engine's docker.io mirror)
IMAGES=(
  "busybox-oci:1.35 library/busybox:1.35"
  "node-oci:20-bookworm-slim library/node:20-bookworm-slim library/node:20"
  "golang-oci:bookworm library/golang:1.26-bookworm library/golang:1.26"
  "golangci-lint-oci:$GOLANGCI_LINT_VERSION golangci/golangci-lint:$GOLANGCI_LINT_VERSION"
  "trivy-oci:${TRIVY_VERSION#v} aquasec/trivy:${TRIVY_VERSION#v}"
  "terraform-oci:$TERRAFORM_VERSION hashicorp/terraform:$TERRAFORM_VERSION"
  "tflint-oci:$TFLINT_VERSION terraform-linters/tflint:$TFLINT_VERSION"
  "actionlint-oci:${ACTIONLINT_VERSION#v} rhysd/actionlint:${ACTIONLINT_VERSION#v}"
)
push_images() { # pushes an image only when its digest changed since the last push (stamp in the registry dir)
  local spec src name digest stamp
  for spec in "${IMAGES[@]}"; do
    read -r src rest <<<"$spec"
    digest=$(jq -r '.manifests[0].digest' "$W/images/${src%%:*}/index.json")
    for name in $rest; do
      stamp="$W/registry/pushed/$(echo "$name" | tr '/:' '__')"
      [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ] && continue
      "${NS_EXEC[@]}" skopeo copy -q --dest-tls-verify=false "oci:$W/images/$src" "docker://$REG/$name" \
        || die "pushing $name to the lab registry failed"
      mkdir -p "$W/registry/pushed"; echo "$digest" >"$stamp"
    done
  done
}

# ---- Go SDK builtin content. In v0.19.10 codegen generates internal/{dagger,querybuilder,telemetry} INTO the user's
# module (no `go get dagger.io/dagger@<commit>` as in v0.21), merges sdk/go's go.mod requires into the module's go.mod,
# re-applies sdk/go's replaces (4 otel log modules => v0.14.0) and runs `go mod tidy`; the runtime then `go build`s.
# We replay exactly that on the host with an EMPTY module cache; what lands in its cache/download is the file GOPROXY.
replay_codegen() { # <GOPROXY> <GOMODCACHE>   (run via `logged`)
  local d gov sdk=$W/src/dagger/sdk/go
  d=$(mktemp -d "$W/replay.XXXX"); gov=$(go env GOVERSION | sed 's/^go//')
  cd "$d"; export GOPROXY=$1 GOMODCACHE=$2 GOSUMDB=off GOFLAGS=-mod=mod
  mkdir -p internal/querybuilder internal/telemetry
  cp "$sdk"/querybuilder/{marshal.go,querybuilder.go} internal/querybuilder/   # = dagger.QueryBuilder embed
  cp "$sdk"/telemetry/*.go internal/telemetry/                                 # = dagger.Telemetry embed
  cat >main.go <<'EOF'
package main

// imports of cmd/codegen/generator/go/templates/src/_dagger.gen.go/{defs,module}.go.tmpl
import (
	_ "dagger/replay/internal/querybuilder"
	_ "dagger/replay/internal/telemetry"

	_ "github.com/Khan/genqlient/graphql"
	_ "github.com/vektah/gqlparser/v2/gqlerror"
	_ "go.opentelemetry.io/otel"
	_ "go.opentelemetry.io/otel/propagation"
	_ "go.opentelemetry.io/otel/sdk/resource"
	_ "go.opentelemetry.io/otel/semconv/v1.37.0"
	_ "go.opentelemetry.io/otel/trace"
)

func main() {}
EOF
  printf 'module dagger/replay\n\ngo %s\n' "$gov" >go.mod
  # shellcheck disable=SC2046
  go mod edit $(awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r{print "-require="$1"@"$2}' "$sdk/go.mod")
  awk '/^replace \(/{r=1;next} r&&/^\)/{r=0} r&&$2=="=>"{print $1"="$3"@"$4}' "$sdk/go.mod" >replaces.txt
  while read -r rp; do go mod edit -replace "$rp"; done <replaces.txt
  go mod tidy
  go build -o /dev/null .
  go list -e -export -compiled -deps . >/dev/null
  cd "$W"; chmod -R u+w "$d"; rm -rf "$d"
}

step_gosdk_proxy() {
  [ -f "$W/sdk-goproxy/.verified" ] && return 0
  rm -rf "$W/sdk-mc" "$W/sdk-goproxy" "$W/sdk-mc-verify"
  logged "$W/logs/replay.log" "replaying codegen's go commands" \
    replay_codegen "file://$GOMODCACHE/cache/download,$(go env GOPROXY)" "$W/sdk-mc"
  cp -a "$W/sdk-mc/cache/download" "$W/sdk-goproxy" && find "$W/sdk-goproxy" -name '*.lock' -delete
  chmod -R u+w "$W/sdk-mc" && rm -rf "$W/sdk-mc"
  logged "$W/logs/replay-verify.log" "offline replay with ONLY the file GOPROXY (proxy incomplete?)" \
    replay_codegen "file://$W/sdk-goproxy" "$W/sdk-mc-verify"
  chmod -R u+w "$W/sdk-mc-verify" && rm -rf "$W/sdk-mc-verify"
  touch "$W/sdk-goproxy/.verified"
}

build_gosdk_image() {
  local gov; gov=$(go env GOVERSION | sed 's/^go//')
  cd "$W/images"
  umoci_new gosdk-oci "$DAGGER_VERSION" gosdk-bundle
  busybox_rootfs gosdk-bundle/rootfs
  mkdir -p gosdk-bundle/rootfs/{go/bin,go/pkg/mod,root/.cache/go-build}   # the engine seeds gomod/gobuild caches from these
  cp -a /usr/local/go gosdk-bundle/rootfs/usr/local/go          # host toolchain = the Go that built codegen
  rm -rf gosdk-bundle/rootfs/usr/local/go/test gosdk-bundle/rootfs/usr/local/go/api
  cp "$W/bin/codegen" gosdk-bundle/rootfs/usr/local/bin/codegen
  cp -a "$W/sdk-goproxy" gosdk-bundle/rootfs/goproxy              # file GOPROXY for codegen's go mod tidy + build
  local x; for x in ${GOSDK_EXTRA_GOPROXY_DIRS:-}; do cp -a "$x/." gosdk-bundle/rootfs/goproxy/; done  # + user module deps
  find gosdk-bundle/rootfs/goproxy -name '*.lock' -delete
  umoci repack --image "gosdk-oci:$DAGGER_VERSION" gosdk-bundle
  umoci config --image "gosdk-oci:$DAGGER_VERSION" --os linux --architecture amd64 --config.workingdir /go \
    --config.env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env GOPATH=/go --config.env GOTOOLCHAIN=local --config.env GOPROXY="$GOSDK_GOPROXY" \
    --config.env GOSUMDB=off --config.env GOFLAGS=-buildvcs=false --config.env GOLANG_VERSION="$gov"
  umoci gc --layout gosdk-oci
  rm -rf gosdk-bundle
}
step_gosdk_image() {
  local inputs; inputs="codegen=$(sha256sum <"$W/bin/codegen" | cut -c1-16) goproxy=$GOSDK_GOPROXY extra=${GOSDK_EXTRA_GOPROXY_DIRS:-}:$(
    for x in ${GOSDK_EXTRA_GOPROXY_DIRS:-}; do (cd "$x" && find . -type f ! -name '*.lock' | sort); done | sha256sum | cut -c1-16)"
  if [ ! -f "$W/images/gosdk-oci/index.json" ] || [ "$(cat "$W/images/gosdk-oci.inputs" 2>/dev/null)" != "$inputs" ]; then
    logged "$W/logs/gosdk-image.log" "Go SDK image" build_gosdk_image
    echo "$inputs" >"$W/images/gosdk-oci.inputs"
  fi
  rm -rf "$R/usr/local/share/dagger/content/blobs"
  cp -a "$W/images/gosdk-oci/blobs" "$R/usr/local/share/dagger/content/"   # builtin content store (OCI blobs)
  jq -r '.manifests[0].digest' "$W/images/gosdk-oci/index.json" >"$W/gosdk.digest"
}

# ================================================================================================ run steps
ensure_netns() {
  [ "$NET" = offline ] || return 0
  if ! ip netns list | grep -qw "$NETNS"; then ip netns add "$NETNS"; fi
  ip -n "$NETNS" link set lo up
}

registry_up() { "${NS_EXEC[@]}" curl -fsm2 "http://$REG/v2/" >/dev/null 2>&1; }
registry_running() { [ -f "$W/registry/registry.pid" ] && kill -0 "$(cat "$W/registry/registry.pid")" 2>/dev/null; }
step_registry() {
  ensure_netns
  cat >"$W/registry/config.yml" <<YML
version: 0.1
log: {level: warn}
storage:
  cache: {blobdescriptor: inmemory}
  filesystem: {rootdirectory: $W/registry/data}
  delete: {enabled: true}
http:
  addr: $REG
YML
  if ! registry_running; then
    if registry_up; then die "something else already listens on $REG (another registry?): stop it or run '$0 down'"; fi
    "${NS_EXEC[@]}" docker-registry serve "$W/registry/config.yml" >"$W/logs/registry.log" 2>&1 </dev/null &
    echo $! >"$W/registry/registry.pid"
  fi
  local i
  for ((i = 0; i < WAIT_REGISTRY_S * 2; i++)); do registry_up && break; sleep 0.5; done
  registry_up || { tail "$W/logs/registry.log"; die "registry not up on $REG after ${WAIT_REGISTRY_S}s (see $W/logs/registry.log)"; }
  push_images
}

engine_answers() {
  _EXPERIMENTAL_DAGGER_RUNNER_HOST=unix://$W/run/engine.sock DO_NOT_TRACK=1 timeout 10 "$W/bin/dagger" core version >/dev/null 2>&1
}
engine_running() { runc state "$ENGINE_ID" 2>/dev/null | grep -q '"status": "running"'; }
step_engine() {
  engine_running && { echo "engine $ENGINE_ID already running"; write_env; return 0; }
  runc delete -f "$ENGINE_ID" >/dev/null 2>&1 || true
  ensure_netns
  ( cd "$W/engine-bundle" && rm -f config.json && runc spec )
  python3 - "$W" "$R" "$(cat "$W/gosdk.digest")" "$([ "$NET" = offline ] && echo "$NETNS")" "/$CG_PARENT" <<'EOF'
import json, os, sys
W, rootfs, digest, netns, cgpath = sys.argv[1:6]
cfgf = W + "/engine-bundle/config.json"
c = json.load(open(cfgf))
names = ["CHOWN","DAC_OVERRIDE","DAC_READ_SEARCH","FOWNER","FSETID","KILL","SETGID","SETUID","SETPCAP",
 "LINUX_IMMUTABLE","NET_BIND_SERVICE","NET_BROADCAST","NET_ADMIN","NET_RAW","IPC_LOCK","IPC_OWNER","SYS_MODULE",
 "SYS_RAWIO","SYS_CHROOT","SYS_PTRACE","SYS_PACCT","SYS_ADMIN","SYS_BOOT","SYS_NICE","SYS_RESOURCE","SYS_TIME",
 "SYS_TTY_CONFIG","MKNOD","LEASE","AUDIT_WRITE","AUDIT_CONTROL","SETFCAP","MAC_OVERRIDE","MAC_ADMIN","SYSLOG",
 "WAKE_ALARM","BLOCK_SUSPEND","AUDIT_READ","PERFMON","BPF","CHECKPOINT_RESTORE"]
last = int(open("/proc/sys/kernel/cap_last_cap").read())
bnd = int([l.split()[1] for l in open("/proc/self/status") if l.startswith("CapBnd")][0], 16)
caps = ["CAP_" + n for i, n in enumerate(names[: last + 1]) if bnd >> i & 1]   # only caps we hold (VMs may lack some)
nofile = int(os.popen("sh -c 'ulimit -Hn'").read().strip() or 1024)              # must not exceed our hard limit
p = c["process"]
p.update(terminal=False, cwd="/", noNewPrivileges=False,
         args=["/usr/local/bin/dagger-engine", "--addr", "unix:///run/dagger/engine.sock", "--debug"],
         env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
              "DAGGER_GO_SDK_MANIFEST_DIGEST=" + digest],
         capabilities={k: caps for k in ["bounding", "effective", "permitted", "inheritable", "ambient"]},
         rlimits=[{"type": "RLIMIT_NOFILE", "hard": nofile, "soft": nofile}])
p.pop("apparmorProfile", None)
c["root"] = {"path": rootfs, "readonly": False}
c["hostname"] = "dagger-engine"
c["mounts"] = [
  {"destination": "/proc", "type": "proc", "source": "proc"},
  {"destination": "/dev", "type": "bind", "source": "/dev", "options": ["rbind", "rw"]},
  # a FRESH sysfs (mounted after joining the netns) so /sys/class/net shows the engine's own netns: buildkit samples
  # /sys/class/net/<veth>/statistics and v0.19.10 panics (nil deref, resources/netstat.go:113) if the veth is missing
  {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "rw"]},
  {"destination": "/sys/fs/cgroup", "type": "bind", "source": "/sys/fs/cgroup", "options": ["rbind", "rw"]},
  {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]},
  {"destination": "/var/lib/dagger", "type": "bind", "source": W + "/state", "options": ["rbind", "rw"]},
  {"destination": "/run/dagger", "type": "bind", "source": W + "/run", "options": ["rbind", "rw"]},
]
l = c["linux"]
l["namespaces"] = [ns for ns in l["namespaces"] if ns["type"] in ("pid", "ipc", "uts", "mount")]
if netns:
    l["namespaces"].append({"type": "network", "path": "/var/run/netns/" + netns})
l["resources"] = {"devices": [{"allow": True, "access": "rwm"}]}
l["cgroupsPath"] = cgpath
for k in ("maskedPaths", "readonlyPaths", "seccomp"):
    l.pop(k, None)
l["rootfsPropagation"] = "rslave"
json.dump(c, open(cfgf, "w"), indent=1)
EOF
  rm -f "$W/run/engine.sock"
  ( cd "$W/engine-bundle" && exec runc run "$ENGINE_ID" >"$W/logs/engine.log" 2>&1 </dev/null ) &
  echo $! >"$W/run/runc.pid"
  local i
  for ((i = 0; i < WAIT_ENGINE_S; i++)); do
    [ -S "$W/run/engine.sock" ] && engine_answers && break
    kill -0 "$(cat "$W/run/runc.pid")" 2>/dev/null || break
    sleep 1
  done
  engine_answers || { tail -30 "$W/logs/engine.log"; die "engine not answering on $W/run/engine.sock after ${WAIT_ENGINE_S}s (see $W/logs/engine.log)"; }
  write_env
}

write_env() {
  cat >"$W/env.sh" <<ENV
export PATH=$W/bin:\$PATH
export _EXPERIMENTAL_DAGGER_RUNNER_HOST=unix://$W/run/engine.sock   # else the CLI runs \`docker\` to start an engine
export _EXPERIMENTAL_DAGGER_CLI_BIN=$W/bin/dagger                   # else dagger.io/dagger downloads the CLI
export DO_NOT_TRACK=1 DAGGER_NO_NAG=1
export LAB_TRIVY_DB=$W/trivy-cache   # fixture vulnerability DB: dagger call --trivy-db=\$LAB_TRIVY_DB …
export TRIVY_BIN=$W/tools/trivy
export TFLINT_BIN=$W/tools/tflint
ENV
}

# A bounded end-to-end probe: the engine answers, pulls through the docker.io mirror and runs a container.
probe() {
  # shellcheck disable=SC1091
  source "$W/env.sh"
  local out
  out=$(timeout -k 5 120 dagger -s core container from --address busybox:1.35 with-exec --args echo,lab-ok stdout 2>"$W/logs/probe.log") \
    || { tail -20 "$W/logs/probe.log" >&2; die "the engine is up but cannot run busybox:1.35 from the mirror (see $W/logs/probe.log)"; }
  [ "$(echo "$out" | tr -d '[:space:]')" = lab-ok ] || die "probe: unexpected output '$out'"
}

# ================================================================================================ down / status
down() {
  if runc state "$ENGINE_ID" >/dev/null 2>&1; then
    runc kill "$ENGINE_ID" TERM 2>/dev/null || true
    local i; for ((i = 0; i < 30; i++)); do engine_running || break; sleep 1; done
    engine_running && runc kill "$ENGINE_ID" KILL 2>/dev/null || true
    for ((i = 0; i < 10; i++)); do engine_running || break; sleep 1; done
    runc delete -f "$ENGINE_ID" 2>/dev/null || true
  fi
  if [ -f "$W/run/runc.pid" ]; then kill "$(cat "$W/run/runc.pid")" 2>/dev/null || true; rm -f "$W/run/runc.pid"; fi
  if registry_running; then
    local p; p=$(cat "$W/registry/registry.pid"); kill "$p" 2>/dev/null || true
    for ((i = 0; i < 10; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$W/registry/registry.pid" "$W/run/engine.sock"
  if [ "$NET" = offline ]; then
    ip netns del "$NETNS" 2>/dev/null || true          # takes the CNI bridge + all its iptables rules with it
  else
    ip link del dagger0 2>/dev/null || true            # CNI bridge in the host netns
    for ipt in iptables iptables-legacy iptables-nft; do  # CNI firewall/portmap/masquerade chains in the host netns
      command -v $ipt >/dev/null || continue
      $ipt -D FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD 2>/dev/null || true
      for ch in $($ipt -t nat -S 2>/dev/null | awk '$1=="-N" && $2 ~ /^CNI-/ {print $2}'); do
        $ipt -t nat -S POSTROUTING | grep -- "-j $ch" | sed 's/^-A/-D/' | while read -r rule; do
          # shellcheck disable=SC2086
          $ipt -t nat $rule 2>/dev/null || true; done
        $ipt -t nat -F "$ch" 2>/dev/null; $ipt -t nat -X "$ch" 2>/dev/null || true
      done
      for ch in CNI-FORWARD CNI-ADMIN; do { $ipt -F $ch && $ipt -X $ch; } 2>/dev/null || true; done
    done
  fi
  # empty cgroups: the engine container's own + the parents its nested runc created (cgroup v1 and v2)
  find /sys/fs/cgroup -depth -type d \( -path "*/$CG_PARENT*" -o -path '*/buildkit' -o -path '*/buildkit/*' \) \
    -exec rmdir {} \; 2>/dev/null || true
  echo "lab: stopped"
}

status() {
  echo "lab dir:  $W (NET=$NET)"
  echo "engine:   $(runc state "$ENGINE_ID" 2>/dev/null | jq -r .status 2>/dev/null || echo absent)"
  echo "registry: $(registry_running && echo "running on $REG (pid $(cat "$W/registry/registry.pid"))" || echo stopped)"
  echo "socket:   $([ -S "$W/run/engine.sock" ] && echo "$W/run/engine.sock" || echo none)"
  [ "$NET" = offline ] && echo "netns:    $NETNS $(ip netns list | grep -qw "$NETNS" && echo present || echo absent)"
  if [ -S "$W/run/engine.sock" ] && [ -f "$W/env.sh" ]; then
    # shellcheck disable=SC1091
    source "$W/env.sh"; echo "version:  $(timeout 30 dagger core version 2>/dev/null || echo "engine not answering")"
  fi
  [ -f "$W/logs/timings.tsv" ] && { echo "last step timings (s):"; tail -15 "$W/logs/timings.tsv" | column -t -s $'\t'; }
  du -sh "$W"/{gomodcache,bin,tools,engine-rootfs,state,images,registry} 2>/dev/null || true
}

external_engine() { # the user already points at an engine: use it, start nothing
  [ -n "${_EXPERIMENTAL_DAGGER_RUNNER_HOST:-}" ] || return 1
  [ "${_EXPERIMENTAL_DAGGER_RUNNER_HOST}" = "unix://$W/run/engine.sock" ] && return 1
  command -v dagger >/dev/null || return 1
  timeout 30 dagger core version >/dev/null 2>&1
}

up() {
  mkdir -p "$W"/{bin,src,images,run,state,logs,registry/data,engine-bundle}
  if external_engine; then
    log "_EXPERIMENTAL_DAGGER_RUNNER_HOST=$_EXPERIMENTAL_DAGGER_RUNNER_HOST answers: using that engine, starting nothing"
    return 0
  fi
  run_step apt step_apt
  run_step source step_source
  run_step build step_build
  run_step tools step_tools
  run_step images step_images
  run_step trivy-db step_trivy_db
  run_step gosdk-goproxy step_gosdk_proxy
  if engine_running; then   # never touch the rootfs under a running engine ("Text file busy", half-updated blobs)
    log "engine already running: rootfs and Go SDK image left as they are ('$0 down' first to apply changes)"
  else
    run_step rootfs step_rootfs
    run_step gosdk-image step_gosdk_image
  fi
  run_step registry step_registry
  run_step engine step_engine
  run_step probe probe
  log "lab up. In a shell: eval \"\$($0 env)\""
}

[ "$(id -u)" = 0 ] || die "must run as root (runc, network namespaces, debootstrap)"
case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) [ -f "$W/env.sh" ] || die "the lab was never started: run '$0 up' first"; cat "$W/env.sh" ;;
  probe) probe ;;
  *) die "usage: $0 up|down|status|env|probe" ;;
esac

