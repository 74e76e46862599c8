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
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)
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
step_done() { echo "    done in $(( $(date +%s) - STEP_START ))s"; }
trap 'rc=$?; if [ $rc -ne 0 ] && [ -n "$STEP_NAME" ]; then echo "build-kube-tools: step \"$STEP_NAME\" failed (exit $rc); see the output above" >&2; fi' EXIT

# The version each binary reports, so a cached binary is trusted only when it says the pinned version.
reported_version() {
  case "$1" in
    kube-apiserver|kube-controller-manager|kube-scheduler) "$BIN/$1" --version 2>/dev/null | awk '{print $2}' ;;
    kubectl) "$BIN/kubectl" version --client 2>/dev/null | awk '/^Client Version:/ {print $3}' ;;
    etcd) "$BIN/etcd" --version 2>/dev/null | awk '/^etcd Version:/ {print "v" $3}' ;;
    kwok) "$BIN/kwok" --version 2>/dev/null | sed -n 's/.*Version:[" ]*\(v\{0,1\}[0-9][^", ]*\).*/\1/p' | head -n1 | sed 's/^\([0-9]\)/v\1/' ;;
  esac
}
expected_version() {
  case "$1" in
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    *) echo "$K8S_VERSION" ;;
  esac
}
tools_up_to_date() {
  [ -f "$STAMP" ] && [ "$(head -n1 "$STAMP")" = "$PINS" ] || return 1
  [ -s "$TOOLS/istio/crds.yaml" ] && [ -s "$TOOLS/kwok/stages.yaml" ] || return 1
  local b
  for b in "${BINARIES[@]}"; do
    [ -x "$BIN/$b" ] && [ "$(reported_version "$b")" = "$(expected_version "$b")" ] || return 1
  done
}

if [ "$FORCE" = 0 ] && tools_up_to_date; then
  echo "kube tools up to date in .tools/ ($PINS); nothing to do (--force rebuilds)"
  STEP_NAME=""
  exit 0
fi

# ---- preflight -------------------------------------------------------------------------------
step "check Go toolchain and proxy"
command -v go >/dev/null || fail "Go is not installed or not on PATH. Install Go 1.$GO_MIN_MINOR+ (https://go.dev/dl/) and re-run."
GO_VERSION=$(GOTOOLCHAIN=local go env GOVERSION)
GO_MINOR=$(echo "$GO_VERSION" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[ -n "$GO_MINOR" ] && [ "$GO_MINOR" -ge "$GO_MIN_MINOR" ] \
  || fail "Go 1.$GO_MIN_MINOR or newer is needed (kwok $KWOK_VERSION declares go 1.26.0); found $GO_VERSION at $(command -v go)."
echo "    $GO_VERSION at $(command -v go)"

# Only the public proxy is reachable (no VCS hosts), so no 'direct' fallback. The go command checks
# sums through $PROXY/sumdb/sum.golang.org, which the proxy serves, so GOSUMDB stays on.
export GOPROXY=$PROXY GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-buildvcs=false" GONOSUMDB= GONOSUMCHECK= GOPRIVATE=
unset GOSUMDB GOINSECURE

if command -v curl >/dev/null; then
  # The go command fetches .mod and .zip for exact versions; some versions answer 403 on the
  # proxy (it serves a subset), so check the files the build needs and name the one refused.
  check_served() { # module version file
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -r 0-0 -m 60 "$PROXY/$1/@v/$2.$3" || true)
    case "$code" in
      200|206) ;;
      000) fail "cannot reach $PROXY (checking $1@$2). The build needs the Go module proxy." ;;
      *) fail "the proxy refuses $1@$2 ($3: HTTP $code). Pin another version in $0 (try: curl $PROXY/$1/@v/list)." ;;
    esac
  }
  check_summed() { # module version: the go command verifies every download against the checksum database
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 60 "$PROXY/sumdb/sum.golang.org/lookup/$1@$2" || true)
    [ "$code" = 200 ] || fail "the proxy's checksum database has no entry for $1@$2 (HTTP $code), so go would refuse it. Pin another version in $0."
  }
  check_served k8s.io/kubernetes "$K8S_VERSION" zip
  check_served go.etcd.io/etcd/server/v3 "$ETCD_VERSION" zip
  check_served sigs.k8s.io/kwok "$KWOK_VERSION" zip
  check_served istio.io/api "$ISTIO_API_VERSION" zip
  check_summed k8s.io/kubernetes "$K8S_VERSION"
  check_summed go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  check_summed sigs.k8s.io/kwok "$KWOK_VERSION"
  check_summed istio.io/api "$ISTIO_API_VERSION"
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 30 "$PROXY/sumdb/sum.golang.org/supported" || true)
  [ "$code" = 200 ] || fail "the proxy does not serve the checksum database ($PROXY/sumdb/sum.golang.org/supported: HTTP $code); go would fail to verify modules."
  echo "    proxy serves all pinned versions and the checksum database"
else
  echo "    curl not found: skipping the proxy pre-check (go will report refused versions itself)"
fi
step_done

mkdir -p "$BIN" "$BUILD" "$TOOLS/istio" "$TOOLS/kwok"

# go mod download -json <mod>@<ver> → prints the value of one field (Dir or GoMod).
module_field() { # module@version field
  local json
  if ! json=$(go mod download -json "$1" 2>&1); then
    fail "go mod download $1 failed: $(echo "$json" | sed -n 's/.*"Error": "\(.*\)".*/\1/p' | head -n1)"
  fi
  echo "$json" | sed -n "s/.*\"$2\": \"\(.*\)\".*/\1/p" | head -n1
}

# ---- Kubernetes control plane ------------------------------------------------------------------
step "derive staging modules from k8s.io/kubernetes@$K8S_VERSION go.mod"
K8S_GOMOD=$(module_field "k8s.io/kubernetes@$K8S_VERSION" GoMod)
[ -f "$K8S_GOMOD" ] || fail "no go.mod for k8s.io/kubernetes@$K8S_VERSION in the module cache"
mapfile -t STAGING < <(sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => \./staging/src/.*|\1|p' "$K8S_GOMOD")
[ "${#STAGING[@]}" -ge 20 ] || fail "found only ${#STAGING[@]} staging replaces in $K8S_GOMOD; has the layout changed?"
K8S_GODEBUG=$(sed -n 's/^godebug \(.*\)$/\1/p' "$K8S_GOMOD" | head -n1)
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
echo "    ${#STAGING[@]} staging modules at $STAGING_VERSION${K8S_GODEBUG:+; godebug $K8S_GODEBUG}"
if declare -F check_summed >/dev/null; then
  for m in "${STAGING[@]}"; do check_summed "$m" "$STAGING_VERSION"; done
  echo "    the checksum database knows all of them"
fi
step_done

step "write wrapper module .tools/build/k8s and resolve dependencies (go mod tidy)"
K8S_DIR="$BUILD/k8s"
mkdir -p "$K8S_DIR"
{
  echo "// Generated by scripts/build-kube-tools.sh: builds Kubernetes $K8S_VERSION commands from the module proxy."
  echo "module chaos.local/kube-tools/k8s"
  echo
  echo "go 1.$GO_MIN_MINOR"
  echo
  [ -n "$K8S_GODEBUG" ] && { echo "godebug $K8S_GODEBUG"; echo; }
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for m in "${STAGING[@]}"; do echo "	$m => $m $STAGING_VERSION"; done
  echo ")"
  echo
  echo "tool ("
  echo "	k8s.io/kubernetes/cmd/kube-apiserver"
  echo "	k8s.io/kubernetes/cmd/kube-controller-manager"
  echo "	k8s.io/kubernetes/cmd/kube-scheduler"
  echo "	k8s.io/kubernetes/cmd/kubectl"
  echo ")"
} > "$K8S_DIR/go.mod"
rm -f "$K8S_DIR/go.sum"
(cd "$K8S_DIR" && go mod tidy) || fail "go mod tidy failed in $K8S_DIR (a module the proxy refuses? see the message above)"
step_done

step "build kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $K8S_VERSION (slow: minutes)"
K8S_MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
K8S_LDFLAGS="-s -w \
 -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
 -X k8s.io/component-base/version.gitMajor=1 \
 -X k8s.io/component-base/version.gitMinor=$K8S_MINOR \
 -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z \
 -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION \
 -X k8s.io/client-go/pkg/version.gitMajor=1 \
 -X k8s.io/client-go/pkg/version.gitMinor=$K8S_MINOR"
(cd "$K8S_DIR" && go build -trimpath -ldflags "$K8S_LDFLAGS" -o "$BIN/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl) \
  || fail "go build of the Kubernetes commands failed"
step_done

# ---- etcd ------------------------------------------------------------------------------------------
step "write wrapper module .tools/build/etcd and build etcd $ETCD_VERSION"
ETCD_DIR="$BUILD/etcd"
mkdir -p "$ETCD_DIR"
cat > "$ETCD_DIR/go.mod" <<EOF
// Generated by scripts/build-kube-tools.sh: builds etcd $ETCD_VERSION from the module proxy.
module chaos.local/kube-tools/etcd

go 1.$GO_MIN_MINOR

require go.etcd.io/etcd/server/v3 $ETCD_VERSION

tool go.etcd.io/etcd/server/v3
EOF
rm -f "$ETCD_DIR/go.sum"
(cd "$ETCD_DIR" && go mod tidy) || fail "go mod tidy failed in $ETCD_DIR"
(cd "$ETCD_DIR" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3) \
  || fail "go build of etcd failed"
step_done

# ---- kwok --------------------------------------------------------------------------------------------
step "build kwok $KWOK_VERSION (go install; the module has no replace directives)"
GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" \
  || fail "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION failed"
# kwok refuses to start without Stage objects; take its own default "fast" node and pod stages
# plus the lease heartbeat from the same module version, so nothing is copied into the repo.
KWOK_DIR=$(module_field "sigs.k8s.io/kwok@$KWOK_VERSION" Dir)
STAGES="$TOOLS/kwok/stages.yaml"
: > "$STAGES.tmp"
for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  [ -f "$KWOK_DIR/kustomize/stage/$f" ] || fail "kwok $KWOK_VERSION has no kustomize/stage/$f"
  { echo "---"; echo "# from sigs.k8s.io/kwok@$KWOK_VERSION kustomize/stage/$f"; cat "$KWOK_DIR/kustomize/stage/$f"; } >> "$STAGES.tmp"
done
mv "$STAGES.tmp" "$STAGES"
step_done

# ---- Istio CRDs ----------------------------------------------------------------------------------------
step "extract Istio CRDs from istio.io/api@$ISTIO_API_VERSION"
ISTIO_DIR=$(module_field "istio.io/api@$ISTIO_API_VERSION" Dir)
CRDS_SRC="$ISTIO_DIR/kubernetes/customresourcedefinitions.gen.yaml"
[ -f "$CRDS_SRC" ] || fail "istio.io/api@$ISTIO_API_VERSION has no kubernetes/customresourcedefinitions.gen.yaml"
install -m 0644 "$CRDS_SRC" "$TOOLS/istio/crds.yaml"
echo "    $(grep -c '^kind: CustomResourceDefinition' "$TOOLS/istio/crds.yaml") CRDs -> .tools/istio/crds.yaml"
step_done

# ---- verify and stamp -------------------------------------------------------------------------------------
step "verify binary versions"
for b in "${BINARIES[@]}"; do
  got=$(reported_version "$b"); want=$(expected_version "$b")
  [ "$got" = "$want" ] || fail "$b reports version '$got', expected '$want'"
  echo "    $b $got"
done
{ echo "$PINS"; echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $GO_VERSION"; } > "$STAMP"
step_done
STEP_NAME=""
echo "kube tools ready in .tools/bin ($PINS) after $(( $(date +%s) - SCRIPT_START ))s"
