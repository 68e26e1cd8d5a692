#!/usr/bin/env bash
# The main story, end to end, on a fresh machine (called by `make demo` with the venv on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${DEMO_OUT:-out/demo}"
rm -rf "$OUT" && mkdir -p "$OUT"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. Validate the five example manifests"
leastforce validate examples/*.yaml

say "2. Build deployable SFDX metadata for Upflow"
leastforce build examples/upflow.yaml -o "$OUT/upflow-sfdx"
find "$OUT/upflow-sfdx" -type f | sort

say "3. Write the admin's setup guide"
for m in examples/*.yaml; do
  name="$(basename "$m" .yaml)"
  leastforce guide "$m" -o "$OUT/$name-guide.md"
  leastforce guide "$m" --format html -o "$OUT/$name-guide.html"
done
head -n 30 "$OUT/upflow-guide.md"

say "4. A manifest with mistakes fails with file:line messages (exit 2)"
set +e
leastforce validate examples/broken/upflow-typos.yaml
code=$?
set -e
echo "exit code: $code"
[ "$code" -eq 2 ]

say "Done: outputs in $OUT"
