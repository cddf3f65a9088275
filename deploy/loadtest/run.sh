#!/usr/bin/env bash
# The Tollgate load-test bench (Tollgate beside nginx), one command on a fresh Debian machine, as root:
#
#   deploy/loadtest/run.sh [bench.py options]     e.g. --rounds 1 --duration 5 --keep; --help lists them
#
# Installs wrk, nginx-light, valgrind and openssl (the TLS phase's certificate) if missing (plus Tollgate's build dependencies), builds Tollgate in
# release mode, then runs bench.py: a static Bedrock-shaped upstream in nginx, nginx as a plain reverse proxy
# (the reference) and Tollgate, all on 127.0.0.1 with ports chosen free at run time. Every phase has a fixed
# length (about 8 minutes in all with the defaults). The report is printed and written to
# deploy/loadtest/last-run.txt.
#
# TOLLGATE_BIN=/path/to/tollgate skips the build and measures that binary instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

deploy/install-deps.sh
needed=(wrk nginx-light valgrind python3 openssl)
missing=()
for p in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v nginx >/dev/null && missing=("${missing[@]/nginx-light}")   # any nginx will do
command -v python3 >/dev/null && missing=("${missing[@]/python3}")
read -r -a missing <<< "${missing[*]:-}"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bin="${TOLLGATE_BIN:-}"
if [ -z "$bin" ]; then
  # Swift builds on a shared machine take turns through this lock; on a machine of one's own it is free.
  # Built as it ships (deploy/Dockerfile): Swift runtime linked statically, which keeps ~4 MB of shared-library
  # pages out of the resident set.
  lock=/tmp/swift-build.lock
  if command -v flock >/dev/null; then
    flock "$lock" swift build -c release --product tollgate --static-swift-stdlib
  else
    swift build -c release --product tollgate --static-swift-stdlib
  fi
  bin="$(swift build -c release --show-bin-path)/tollgate"
fi

# 2,000 client connections + 2,000 upstream connections per process under test, and nginx's: raise the
# descriptor limit as far as the hard limit allows (and the hard limit itself where we may).
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 8192 ] || echo "warning: open-file limit $(ulimit -n) is too low for the 2,000-connection tests" >&2

exec python3 deploy/loadtest/bench.py --tollgate "$bin" "$@"
