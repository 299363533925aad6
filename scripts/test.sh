#!/usr/bin/env bash
# Runs the whole MusicML test suite after installing what it needs (scripts/setup.sh). Ends with one summary line
# "N passed, N failed, N skipped" over every test project.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo/scripts/setup.sh" || exit 1
results="$(mktemp -d)"
dotnet test "$repo/MusicML.sln" -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results"
status=$?
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed) + $(get error) + $(get timeout)))
  skipped=$((skipped + $(get notExecuted)))
done
echo "$passed passed, $failed failed, $skipped skipped"
rm -rf "$results"
exit $status
