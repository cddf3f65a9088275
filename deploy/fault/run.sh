#!/usr/bin/env bash
# The Tollgate fault suite, one command on a Debian machine (as root, so that disk-full can mount its tmpfs):
#
#   deploy/fault/run.sh [faults.py options]     e.g. --only kill9,sighup; --repeat 3; --keep; --help lists them
#
# Runs deploy/fault/faults.py: SIGKILL mid-load, SIGHUP storms and a full ledger disk against a Tollgate gateway and
# the built-in Bedrock stand-in, all on 127.0.0.1 with ports chosen free at run time. One line per check, then
# "N passed, N failed"; the exit status is non-zero on any failure. About a minute with the defaults.
#
# TOLLGATE_BIN=/path/to/tollgate uses that binary; without it, `swift build --product tollgate` (debug) runs first.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v python3 >/dev/null; then
  echo "installing: python3" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 >/dev/null
fi

bin="${TOLLGATE_BIN:-}"
if [ -z "$bin" ]; then
  deploy/install-deps.sh
  swift build --product tollgate
  bin="$PWD/.build/debug/tollgate"
fi

exec python3 deploy/fault/faults.py --tollgate "$bin" "$@"
