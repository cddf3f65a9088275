#!/usr/bin/env bash
# The demo: builds Tollgate (release), then runs the built-in Bedrock stand-in and the gateway on loopback with the
# shipped config. No AWS account needed. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
swift build -c release --product tollgate
exec .build/release/tollgate demo "$@"
