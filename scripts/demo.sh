#!/usr/bin/env bash
# The main story, end to end, on a fresh machine (called by `make demo` with the venv on PATH):
# the vendor's side (validate, build, guide), then the admin's side against the built-in emulator
# (plan, apply, verify failing then passing, explain, audit, doctor).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${DEMO_OUT:-out/demo}"
rm -rf "$OUT" && mkdir -p "$OUT"
export NO_COLOR=1

say() { printf '\n== %s\n' "$*"; }
expect() {  # expect CODE command...: run a command that must exit with CODE
  local want="$1"; shift
  set +e; "$@"; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then echo "demo: expected exit $want from '$*', got $got" >&2; exit 1; fi
}

say "1. Validate the example manifests (five vendor integrations and leastforce's own access)"
leastforce validate examples/*.yaml

say "2. A manifest with mistakes fails with file:line:col messages (exit 2)"
expect 2 leastforce validate examples/broken/upflow-typos.yaml

say "3. Build deployable SFDX metadata for Upflow"
leastforce build examples/upflow.yaml -o "$OUT/upflow-sfdx"
(cd "$OUT/upflow-sfdx" && find . -type f | sort)

say "4. Write the admin's setup guide for each integration"
for m in examples/*.yaml; do
  name="$(basename "$m" .yaml)"
  leastforce guide "$m" -o "$OUT/$name-guide.md"
  leastforce guide "$m" --format html -o "$OUT/$name-guide.html"
done
sed -n '1,25p' "$OUT/upflow-guide.md"

say "5. Start a local Salesforce org (the emulator)"
STATE="$OUT/org"
leastforce emulator serve --state "$STATE" --json > "$OUT/emulator.json" &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$OUT/emulator.json" ] && break; sleep 0.1; done
read -r URL CA TOKEN < <(python -c '
import json, sys
r = json.load(open(sys.argv[1]))["result"]
print(r["instanceUrl"], r["caBundle"], r["accessToken"])' "$OUT/emulator.json")
export LEASTFORCE_ORG="$URL" SF_CA_BUNDLE="$CA" SF_ACCESS_TOKEN="$TOKEN"
echo "org: $URL (CA bundle $CA)"
USER_NAME="upflow-integration@acme.example"

say "6. Plan the Upflow setup against the org (exit 2: changes pending)"
expect 2 leastforce plan examples/upflow.yaml --user "$USER_NAME" --detailed-exitcode

say "7. Apply it"
leastforce apply examples/upflow.yaml --user "$USER_NAME" --yes

say "8. Verify: the optional export feature is not set up yet (exit 1, with the fix)"
expect 1 leastforce verify examples/upflow.yaml --user "$USER_NAME" --feature export

say "9. Apply the export feature, then verify passes"
leastforce apply examples/upflow.yaml --user "$USER_NAME" --feature export --yes
leastforce verify examples/upflow.yaml --user "$USER_NAME" --feature export

say "10. Nothing left to do: the plan is empty (exit 0)"
leastforce plan examples/upflow.yaml --user "$USER_NAME" --feature export --detailed-exitcode

say "11. Where does Read on Account come from?"
leastforce explain Account:read --user "$USER_NAME"

say "12. Audit every integration user in the org"
leastforce audit --manifest examples/upflow.yaml --user "$USER_NAME" --html "$OUT/audit.html"

say "13. Diagnose the error Upflow's guide warns about (exit 1: likely causes found)"
expect 1 leastforce doctor --user "$USER_NAME" --manifest examples/upflow.yaml --error OAUTH_APPROVAL_ERROR_GENERIC

say "Done: outputs in $OUT"
