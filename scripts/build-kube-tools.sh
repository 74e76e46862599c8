#!/usr/bin/env bash
# Builds the real-Kubernetes test tier's binaries from the Go module proxy into .tools/bin/,
# and extracts Istio's CRDs (istio.io/api) and kwok's default stages into .tools/.
#
#   bash scripts/build-kube-tools.sh           # build what is missing or pinned differently
#   bash scripts/build-kube-tools.sh --force   # rebuild everything
#
# Why a wrapper module: k8s.io/kubernetes requires its staging modules at v0.0.0 and maps them
# to ./staging/src with replace directives, which a downstream build ignores, and `go install
# pkg@version` refuses modules with replace directives. So .tools/build/k8s/go.mod requires
# k8s.io/kubernetes and replaces every staging module (read from k/k's own go.mod) with its
# published v0.Y.Z tag. etcd's server module has local replaces too, hence its own wrapper.
set -euo pipefail

# ---- pinned versions (change here; the stamp makes the next run rebuild) --------------------
K8S_VERSION=v1.34.3        # kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
                           # (1.34.4-1.34.9: the proxy's checksum database lacks some v0.34.x staging modules)
ETCD_VERSION=v3.6.10       # kwok's kubeadm-derived table maps k8s 1.34-1.36 to etcd 3.6.10
KWOK_VERSION=v0.8.0        # sigs.k8s.io/kwok; needs Go >= 1.26.0
ISTIO_API_VERSION=v1.31.1  # istio.io/api: kubernetes/customresourcedefinitions.gen.yaml
GO_MIN_MINOR=26            # Go 1.26 or newer (kwok v0.8.0 declares go 1.26.0)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
BUILD="$TOOLS/build"
STAMP="$TOOLS/kube-tools.stamp"
PINS="k8s=$K8S_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION istio-api=$ISTIO_API_VERSION"
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
PROXY=https://proxy.golang.org

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "build-kube-tools: unknown argument '$arg' (accepted: --force, --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "build-kube-tools: error: $*" >&2; exit 1; }

STEP_START=0
STEP_NAME=""
SCRIPT_START=$(date +%s)
step() { STEP_NAME=$1; STEP_START=$(date +%s); echo "==> $STEP_NAME"; }
step_done() { echo "    done in $(( $(date +%s) - STEP_START ))s"; STEP_NAME=""; }
trap 'rc=$?; if [ $rc -ne 0 ] && [ -n "$STEP_NAME" ]; then echo "build-kube-tools: step \"$STEP_NAME\" failed (exit $rc); see the output above" >&2; fi' EXIT

# ---- what is already there ------------------------------------------------------------------------
# The version each binary reports: a cached binary is trusted only when it says the pinned version.
reported_version() {
  case "$1" in
    kube-apiserver|kube-controller-manager|kube-scheduler) "$BIN/$1" --version 2>/dev/null | awk '{print $2}' ;;
    kubectl) "$BIN/kubectl" version --client 2>/dev/null | awk '/^Client Version:/ {print $3}' ;;
    etcd) "$BIN/etcd" --version 2>/dev/null | awk '/^etcd Version:/ {print "v" $3}' ;;
    kwok) "$BIN/kwok" --version 2>/dev/null | awk '/^kwok version / {print $3}' ;;
  esac
}
expected_version() {
  case "$1" in
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    *) echo "$K8S_VERSION" ;;
  esac
}
# True when every named binary exists and reports its pinned version (never with --force).
have_binaries() {
  [ "$FORCE" = 0 ] || return 1
  local b
  for b in "$@"; do
    [ -x "$BIN/$b" ] && [ "$(reported_version "$b")" = "$(expected_version "$b")" ] || return 1
  done
}

if [ -f "$STAMP" ] && [ "$(head -n1 "$STAMP")" = "$PINS" ] \
  && [ -s "$TOOLS/istio/crds.yaml" ] && [ -s "$TOOLS/kwok/stages.yaml" ] \
  && have_binaries "${K8S_BINARIES[@]}" etcd kwok; then
  echo "kube tools up to date in .tools/ ($PINS); nothing to do (--force rebuilds)"
  exit 0
fi

# ---- preflight -------------------------------------------------------------------------------------
step "check Go toolchain and proxy"
command -v go >/dev/null || fail "Go is not installed or not on PATH. Install Go 1.$GO_MIN_MINOR+ (https://go.dev/dl/) and re-run."
GO_VERSION=$(GOTOOLCHAIN=local go env GOVERSION)
GO_MINOR=$(echo "$GO_VERSION" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[ -n "$GO_MINOR" ] && [ "$GO_MINOR" -ge "$GO_MIN_MINOR" ] \
  || fail "Go 1.$GO_MIN_MINOR or newer is needed (kwok $KWOK_VERSION declares go 1.26.0); found $GO_VERSION at $(command -v go)."
echo "    $GO_VERSION at $(command -v go)"

# Only the public proxy is reachable (no VCS hosts), so no 'direct' fallback. The go command checks
# sums through $PROXY/sumdb/sum.golang.org, which the proxy serves, so checksum checks stay on.
export GOPROXY=$PROXY GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
unset GOSUMDB GONOSUMDB GOPRIVATE GONOPROXY GOINSECURE

if command -v curl >/dev/null; then
  # The proxy serves a subset: some versions answer 403, and the checksum database lacks some
  # entries. Check what the build needs up front and name the module that is refused.
  check_served() { # module version
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -r 0-0 -m 60 "$PROXY/$1/@v/$2.zip" || true)
    case "$code" in
      200|206) ;;
      000) fail "cannot reach $PROXY (checking $1@$2). The build needs the Go module proxy." ;;
      *) fail "the proxy refuses $1@$2 (HTTP $code). Pin another version in $0 (try: curl $PROXY/$1/@v/list)." ;;
    esac
  }
  check_summed() { # module version
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 60 "$PROXY/sumdb/sum.golang.org/lookup/$1@$2" || true)
    [ "$code" = 200 ] || fail "the proxy's checksum database has no entry for $1@$2 (HTTP $code), so go would refuse it. Pin another version in $0."
  }
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 30 "$PROXY/sumdb/sum.golang.org/supported" || true)
  [ "$code" = 200 ] || fail "$PROXY does not serve the checksum database (HTTP $code); go could not verify modules."
  for pin in k8s.io/kubernetes@$K8S_VERSION go.etcd.io/etcd/server/v3@$ETCD_VERSION \
             sigs.k8s.io/kwok@$KWOK_VERSION istio.io/api@$ISTIO_API_VERSION; do
    check_served "${pin%@*}" "${pin#*@}"
    check_summed "${pin%@*}" "${pin#*@}"
  done
  echo "    the proxy serves all pinned versions and their checksums"
else
  echo "    curl not found: skipping the proxy pre-check (go will report refused versions itself)"
fi
step_done

mkdir -p "$BIN" "$BUILD" "$TOOLS/istio" "$TOOLS/kwok"

# go mod download -json <module>@<version> → the value of one field (Dir or GoMod).
module_field() { # module@version field
  local json
  if ! json=$(go mod download -json "$1" 2>&1); then
    fail "go mod download $1 failed: $(echo "$json" | sed -n 's/.*"Error": "\(.*\)".*/\1/p' | head -n1)"
  fi
  echo "$json" | sed -n "s/.*\"$2\": \"\(.*\)\".*/\1/p" | head -n1
}

# ---- Kubernetes control plane ------------------------------------------------------------------------
build_kubernetes() {
  step "derive staging modules from k8s.io/kubernetes@$K8S_VERSION go.mod"
  local k8s_gomod godebug staging_version m
  local -a staging
  k8s_gomod=$(module_field "k8s.io/kubernetes@$K8S_VERSION" GoMod)
  [ -f "$k8s_gomod" ] || fail "no go.mod for k8s.io/kubernetes@$K8S_VERSION in the module cache"
  mapfile -t staging < <(sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => \./staging/src/.*|\1|p' "$k8s_gomod")
  [ "${#staging[@]}" -ge 20 ] || fail "found only ${#staging[@]} staging replaces in $k8s_gomod; has the layout changed?"
  godebug=$(sed -n 's/^godebug \(.*\)$/\1/p' "$k8s_gomod" | head -n1)
  staging_version="v0.${K8S_VERSION#v1.}"
  echo "    ${#staging[@]} staging modules at $staging_version${godebug:+; godebug $godebug}"
  if declare -F check_summed >/dev/null; then
    for m in "${staging[@]}"; do check_summed "$m" "$staging_version"; done
    echo "    the checksum database knows all of them"
  fi
  step_done

  step "write wrapper module .tools/build/k8s and resolve dependencies (go mod tidy)"
  local dir="$BUILD/k8s"
  mkdir -p "$dir"
  {
    echo "// Generated by scripts/build-kube-tools.sh: Kubernetes $K8S_VERSION commands from the module proxy."
    echo "module chaos.local/kube-tools/k8s"
    echo
    echo "go 1.$GO_MIN_MINOR"
    echo
    # k/k's own GODEBUG defaults, so the binaries behave as the released ones do.
    if [ -n "$godebug" ]; then echo "godebug $godebug"; echo; fi
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for m in "${staging[@]}"; do printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"; done
    echo ")"
    echo
    echo "tool ("
    for m in "${K8S_BINARIES[@]}"; do printf '\tk8s.io/kubernetes/cmd/%s\n' "$m"; done
    echo ")"
  } > "$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && go mod tidy) || fail "go mod tidy failed in $dir (a module the proxy refuses? see the message above)"
  step_done

  step "build ${K8S_BINARIES[*]} $K8S_VERSION (slow: about 10 minutes on 2 cores)"
  local minor ldflags pkg
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  # The variables k/k's hack/lib/version.sh sets; without them --version says v0.0.0-master.
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  local -a packages
  for m in "${K8S_BINARIES[@]}"; do packages+=("k8s.io/kubernetes/cmd/$m"); done
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$BIN/" "${packages[@]}") \
    || fail "go build of the Kubernetes commands failed"
  step_done
}

# ---- etcd ------------------------------------------------------------------------------------------------
build_etcd() {
  step "write wrapper module .tools/build/etcd and build etcd $ETCD_VERSION"
  local dir="$BUILD/etcd"
  mkdir -p "$dir"
  {
    echo "// Generated by scripts/build-kube-tools.sh: etcd $ETCD_VERSION from the module proxy."
    echo "module chaos.local/kube-tools/etcd"
    echo
    echo "go 1.$GO_MIN_MINOR"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo
    echo "tool go.etcd.io/etcd/server/v3"
  } > "$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && go mod tidy) || fail "go mod tidy failed in $dir"
  # The version string is compiled in from go.etcd.io/etcd/api/v3/version: no ldflags needed.
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3) \
    || fail "go build of etcd failed"
  step_done
}

# ---- kwok ------------------------------------------------------------------------------------------------
build_kwok() {
  step "build kwok $KWOK_VERSION (go install; the module has no replace directives)"
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" \
    || fail "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION failed"
  step_done
}

# kwok refuses to start without Stage objects: take its own default "fast" node and pod stages plus
# the lease heartbeat from the same module version, so the repository carries no copy.
extract_kwok_stages() {
  step "extract kwok's default stages from sigs.k8s.io/kwok@$KWOK_VERSION"
  local dir stages f
  dir=$(module_field "sigs.k8s.io/kwok@$KWOK_VERSION" Dir)
  stages="$TOOLS/kwok/stages.yaml"
  : > "$stages.tmp"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -f "$dir/kustomize/stage/$f" ] || fail "kwok $KWOK_VERSION has no kustomize/stage/$f"
    { echo "---"; echo "# from sigs.k8s.io/kwok@$KWOK_VERSION kustomize/stage/$f"; cat "$dir/kustomize/stage/$f"; } >> "$stages.tmp"
  done
  mv "$stages.tmp" "$stages"
  echo "    5 stages -> .tools/kwok/stages.yaml"
  step_done
}

# ---- Istio CRDs ------------------------------------------------------------------------------------------
extract_istio_crds() {
  step "extract Istio CRDs from istio.io/api@$ISTIO_API_VERSION"
  local dir src
  dir=$(module_field "istio.io/api@$ISTIO_API_VERSION" Dir)
  src="$dir/kubernetes/customresourcedefinitions.gen.yaml"
  [ -f "$src" ] || fail "istio.io/api@$ISTIO_API_VERSION has no kubernetes/customresourcedefinitions.gen.yaml"
  install -m 0644 "$src" "$TOOLS/istio/crds.yaml"
  echo "    $(grep -c '^kind: CustomResourceDefinition' "$TOOLS/istio/crds.yaml") CRDs -> .tools/istio/crds.yaml"
  step_done
}

skip_step() { step "$1"; echo "    already built with the pinned version; skipping"; step_done; }

# ---- run -------------------------------------------------------------------------------------------------
# Each part is skipped when its binaries already report the pinned version, so a run that failed
# half-way resumes where it stopped.
if have_binaries "${K8S_BINARIES[@]}"; then skip_step "Kubernetes $K8S_VERSION commands"; else build_kubernetes; fi
if have_binaries etcd; then skip_step "etcd $ETCD_VERSION"; else build_etcd; fi
if have_binaries kwok; then skip_step "kwok $KWOK_VERSION"; else build_kwok; fi
extract_kwok_stages
extract_istio_crds

step "verify binary versions and write the stamp"
for b in "${K8S_BINARIES[@]}" etcd kwok; do
  got=$(reported_version "$b"); want=$(expected_version "$b")
  [ "$got" = "$want" ] || fail "$b reports version '$got', expected '$want'"
  echo "    $b $got"
done
{ echo "$PINS"; echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $GO_VERSION"; } > "$STAMP"
step_done
echo "kube tools ready in .tools/ ($PINS) after $(( $(date +%s) - SCRIPT_START ))s"
