#!/usr/bin/env bash
# Everything the full test suite (`npm test`) needs beyond `npm ci`, so the README's test command
#
#   bash scripts/test-prerequisites.sh && npm test
#
# passes on a fresh machine as written. .ci/run runs that same README line (it reads it from the
# README), so CI and a new user go through this one script.
#
#   1. System packages the tests drive for real (they fail, never skip, without them):
#      chromium (report.html in a headless browser), xmllint from libxml2-utils (junit.xml against
#      its XSD), tmux (the game-day view in a real terminal). Installed with apt-get when missing
#      (as root, else through sudo); elsewhere the exact command is printed and nothing runs.
#   2. The real-API tier's binaries (kube-apiserver, etcd, kwok, … : scripts/build-kube-tools.sh)
#      and a real Prometheus and promtool for the remote-write tier (scripts/build-prometheus.sh), taken from the
#      per-user tools cache ($XDG_CACHE_HOME/chaos/tools, else ~/.cache/chaos/tools, where `chaos
#      setup` also keeps k6) when it has them, built with Go otherwise, and kept there for the next
#      checkout.
#
#   bash scripts/test-prerequisites.sh --check   # only say what is missing (exit 1 if anything is)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/chaos/tools"
case "${XDG_CACHE_HOME:-}" in /*) ;; *) CACHE="$HOME/.cache/chaos/tools" ;; esac

CHECK=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "test-prerequisites: unknown argument '$arg' (accepted: --check, --help)" >&2; exit 2 ;;
  esac
done

# ---- 1. system packages: command → Debian package ----------------------------------------------
# Chromium is looked for where the tests look (CHROMIUM_PATH, else /usr/bin/chromium).
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v tmux >/dev/null || missing+=(tmux)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test-prerequisites: system packages present (chromium, xmllint, tmux)"
else
  install="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$CHECK" = 1 ]; then
    echo "test-prerequisites: missing system packages: ${missing[*]}; install them with: $install" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null; then
    echo "test-prerequisites: missing ${missing[*]} (Debian package names) and there is no apt-get here;" >&2
    echo "  install their equivalents (Chromium, xmllint, tmux) with your package manager, then run this again" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "test-prerequisites: missing ${missing[*]}; as root run: $install" >&2
    exit 1
  fi
  echo "test-prerequisites: installing ${missing[*]} (apt-get)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ---- 2. the real-API tier's binaries, through the per-user cache -----------------------------------
if [ "$CHECK" = 1 ]; then
  # build-kube-tools.sh says "up to date" and builds nothing when they are; here only look.
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok prometheus promtool; do
    [ -x "$ROOT/.tools/bin/$b" ] || [ -x "$CACHE/bin/$b" ] || {
      echo "test-prerequisites: $b is not built; run: bash scripts/test-prerequisites.sh" >&2
      exit 1
    }
  done
  echo "test-prerequisites: kube tools and prometheus present"
  exit 0
fi
if [ -d "$CACHE/bin" ]; then
  echo "test-prerequisites: taking built tools from $CACHE"
  mkdir -p "$ROOT/.tools"
  cp -a "$CACHE/." "$ROOT/.tools/"
fi
bash "$ROOT/scripts/build-kube-tools.sh"
bash "$ROOT/scripts/build-prometheus.sh"
mkdir -p "$CACHE"
cp -a "$ROOT/.tools/." "$CACHE/"
