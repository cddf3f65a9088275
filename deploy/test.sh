#!/usr/bin/env bash
# The whole test suite: Swift unit and end-to-end tests on loopback, then the interop tests that drive Tollgate
# with real boto3 clients (installed from PyPI into a venv this script owns).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh

swift build --build-tests
# XCTest only (no Swift Testing suites), so the closing line counts what really ran. Passing cases are not echoed.
set +e
swift test --skip-build --disable-swift-testing > .build/swift-test.log 2>&1
status=$?
set -e
grep -vE "^Test Case '.*' (started|passed)" .build/swift-test.log
[ "$status" -eq 0 ] || { echo "swift test failed ($status)" >&2; exit "$status"; }

if ls Tests/interop/test_*.py >/dev/null 2>&1; then
  venv=.build/interop-venv
  # (Re)install when the venv is new or the requirements changed since it was filled.
  wanted="$(sha256sum Tests/interop/requirements.txt | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/pytest" ] || [ "$(cat "$venv/.requirements-sha" 2>/dev/null)" != "$wanted" ]; then
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/interop/requirements.txt
    echo "$wanted" > "$venv/.requirements-sha"
  fi
  TOLLGATE_BIN="$PWD/.build/debug/tollgate" "$venv/bin/pytest" -q Tests/interop
fi
