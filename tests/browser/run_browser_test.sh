#!/usr/bin/env bash
# Starts the demo (gateway, worker, sandbox on the stack's servers) with the binaries under
# test, drives its chat page with chromium, and stops the demo again.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:?usage: run_browser_test.sh BIN_DIR ARTIFACT_DIR}
ARTIFACTS=${2:?usage: run_browser_test.sh BIN_DIR ARTIFACT_DIR}
if [ ! -d "$ROOT/tests/browser/node_modules/playwright-core" ]; then
  echo "run_browser_test: playwright-core is missing: scripts/install-deps installs it" >&2
  exit 1
fi
# A background job of a script ignores SIGINT, so the demo is stopped with SIGTERM (it traps both).
log=$(mktemp)
CHATSHOP_DEMO_BIN="$BIN" "$ROOT/scripts/demo" > "$log" 2>&1 &
demo=$!
stop() { kill -TERM "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -f "$log"; }
trap stop EXIT
url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*/sandbox' "$log" | head -1 || true)
  [ -n "$url" ] && break
  kill -0 "$demo" 2>/dev/null || { cat "$log"; echo "run_browser_test: the demo stopped" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "run_browser_test: no page URL" >&2; exit 1; }
node "$ROOT/tests/browser/sandbox_page_test.mjs" "$url" "$ARTIFACTS"
