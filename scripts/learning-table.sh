#!/usr/bin/env bash
# Measures every classical learner's stratified 5-fold cross-validated accuracy on the synthetic evaluation set for
# three tasks (drums / no-drums, major / minor mode, slow / medium / fast tempo) from the per-track summary features,
# and prints the Markdown table pasted into docs/learning.md. Everything goes through the musicml CLI, so the figures
# are what a user gets with the same commands.
#   scripts/learning-table.sh [SYNTH_DIR]      (default: ../shared/eval/synth beside the repository)
# Needs a Release build (dotnet build MusicML.sln -c Release).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
data=$(cd "${1:-$repo/../shared/eval/synth}" && pwd)
musicml="$repo/src/MusicML.Cli/bin/Release/net10.0/musicml"
[ -x "$musicml" ] || { echo "build first: dotnet build MusicML.sln -c Release" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MUSICML_NO_PROGRESS=1

"$musicml" features summary "$data"/*.wav --out "$work/summary.csv" --workers "${JOBS:-2}"

# Labels from the set's own manifest (no quoted fields there): drums from the tags, the mode from the key column, the
# tempo class from the tags. Absolute paths, so the join with the summary table is by file, not by name.
awk -F, -v dir="$data" '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print "path,drums,mode,tempo_class"; next }
  {
    tags = ";" $col["tags"] ";"
    drums = tags ~ /;no-drums;/ ? "no-drums" : "drums"
    split($col["key"], key, " ")
    tempo = tags ~ /;slow;/ ? "slow" : tags ~ /;fast;/ ? "fast" : "medium"
    print dir "/" $col["file"] "," drums "," key[2] "," tempo
  }' "$data/manifest.csv" > "$work/labels.csv"

tasks=(drums mode tempo_class)
echo "| learner | drums / no-drums | mode (major / minor) | tempo class (slow / medium / fast) |"
echo "| --- | --- | --- | --- |"
for algo in knn logreg linear ridge tree forest gnb; do
  row="| $algo |"
  for task in "${tasks[@]}"; do
    out=$("$musicml" train classifier --algo "$algo" --features "$work/summary.csv" --manifest "$work/labels.csv" \
      --label "$task" --cv 5 --out "$work/$algo-$task.json")
    # "5-fold cross-validation: accuracy 0.9250 (± 0.0612 over folds), macro F1 0.9101"
    figures=$(sed -n 's/^5-fold cross-validation: accuracy \([0-9.]*\) (± \([0-9.]*\) over folds), macro F1 \([0-9.]*\)$/\1 ± \2 (F1 \3)/p' <<<"$out")
    row="$row $figures |"
  done
  echo "$row"
done
echo
echo "Measured $(date -u +%Y-%m-%d) at commit $(git -C "$repo" rev-parse --short HEAD) on $(ls "$data"/*.wav | wc -l) clips of $data."
