#!/usr/bin/env bash
# plan -> apply -> verify -> plan (empty) for Upflow against a fresh emulated org (call from scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="$(mktemp -d)"
INFO="$STATE/serve.json"
leastforce emulator serve --state "$STATE/org" --json >"$INFO" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$STATE"' EXIT
for _ in $(seq 100); do [ -s "$INFO" ] && break; sleep 0.1; done
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['result'][sys.argv[2]])" "$INFO" "$1"; }
ORG="$(field instanceUrl)"
export SF_ACCESS_TOKEN="$(field accessToken)" SF_CA_BUNDLE="$(field caBundle)"
USER_NAME=upflow-integration@example.com

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say "plan: what Upflow needs in a fresh org (exit 2 = changes pending)"
set +e; leastforce plan examples/upflow.yaml --org "$ORG" --user "$USER_NAME" --detailed-exitcode; code=$?; set -e
echo "exit code: $code"; [ "$code" -eq 2 ]
say "apply --yes: profile, permission set, rows, user, license, assignment; then verify"
leastforce apply examples/upflow.yaml --org "$ORG" --user "$USER_NAME" --yes
say "verify"
leastforce verify examples/upflow.yaml --org "$ORG" --user "$USER_NAME"
say "plan again: in sync (exit 0)"
leastforce plan examples/upflow.yaml --org "$ORG" --user "$USER_NAME" --detailed-exitcode
