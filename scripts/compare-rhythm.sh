#!/usr/bin/env bash
# Scores the DSP rhythm path against the learned one (the bundled beat network, or MODEL) on a held-out corpus of
# the project's own (default ~/musicml-data/rhythm-valid: musicml corpus synth --expressive --count 120
# --seed 2900000 --seconds 15-30, made here if missing), on ../shared/eval/synth and on ../shared/eval/real, with
# musicml experiment (mir_eval's definitions). Prints one line per set, task and path; docs/accuracy.md keeps them.
#   scripts/compare-rhythm.sh [VALID_DIR] [MODEL]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
musicml="$repo/src/MusicML.Cli/bin/Release/net10.0/musicml"
valid="${1:-$HOME/musicml-data/rhythm-valid}"
model=(); [ $# -ge 2 ] && model=(--param "model=$2")
[ -f "$valid/manifest.csv" ] || "$musicml" corpus synth --expressive --out "$valid" --count 120 --seed 2900000 --seconds 15-30
out="$(mktemp -d)"
for set in "$valid" "$repo/../shared/eval/synth" "$repo/../shared/eval/real"; do
  [ -d "$set" ] || { echo "compare-rhythm: $set not found; skipped" >&2; continue; }
  for task in beats downbeats tempo; do
    for algorithm in dsp learned; do
      name=$algorithm; params=()
      if [ $algorithm = dsp ]; then name=$([ $task = tempo ] && echo comb || echo barpointer); else params=("${model[@]}"); fi
      dir="$out/$(basename "$set")-$task-$algorithm"
      "$musicml" experiment --task $task --algorithm $name "${params[@]}" --data "$set" --out "$dir" > /dev/null 2>&1 || true
      [ -f "$dir/scores.csv" ] || { echo "$(basename "$set") $task $algorithm: no scores"; continue; }
      # beats/downbeats columns: f_measure ... cmlt (8th) ... amlt (10th); tempo: accuracy1 (5th), accuracy2 (6th).
      awk -F, -v s="$(basename "$set")" -v t=$task -v a=$algorithm 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
        $1 == "mean" { if (t == "tempo") printf "%s %s %s: Accuracy1 %.3f Accuracy2 %.3f (%d files)\n", s, t, a, $c["accuracy1"], $c["accuracy2"], NR - 2;
                       else printf "%s %s %s: F %.3f CMLt %.3f AMLt %.3f (%d files)\n", s, t, a, $c["f_measure"], $c["cmlt"], $c["amlt"], NR - 2 }' "$dir/scores.csv"
    done
  done
done
rm -rf "$out"
