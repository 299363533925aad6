#!/usr/bin/env bash
# Regenerates the bundled default tagger models/musicml_synth.* from data the project makes itself. Outside the test
# suite: corpus 12.5 min and training about 37 min on an undisturbed 2-core reference machine (26 epochs of 84-90 s;
# 67 min were measured on 2026-12-03 with the machine shared with other work, see models/README.md).
#   1. scripts/make-synth-corpus.sh: 1,200 clips of 20-30 s, seeds 1,000,000-1,001,199 (disjoint from every
#      evaluation set), rendered by FluidSynth; 1.3 GB (and a 0.9 GB mel cache).
#   2. split by index: clips 0-1099 train, 1100-1199 validation (early stopping and model selection only).
#   3. musicml train tagger --arch shortchunk --width 32 --crop-seconds 4 --batch-size 16 --lr 1e-3 --seed 1 --augment
#      (NWaves gain, EQ, noise, time stretch, pitch shift per example), up to 50 epochs, early stopping after 8
#      without a better validation macro ROC-AUC.
#   4. musicml models export RUN --name musicml_synth --out models/ (weights pinned by sha256 in the JSON).
#   5. musicml eval tagger on ../shared/eval/synth for the record: that set is never used for training or selection.
#   scripts/train-default-tagger.sh [WORK_DIR]      default ~/musicml-data; a rerun resumes the corpus and training.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$HOME/musicml-data}"
count=1200; valid_from=1100
"$repo/scripts/setup.sh"
"$repo/scripts/make-synth-corpus.sh" "$work/synth-corpus" "$count"
musicml="$repo/src/MusicML.Cli/bin/Release/net10.0/musicml"
mkdir -p "$work/exp"
# manifest.csv columns: id,file,duration,tempo,key,meter,tags,seed (tags already ';'-joined, no quoting needed).
awk -F, -v dir="$work/synth-corpus" -v from="$valid_from" -v out="$work/exp" '
  NR == 1 { print "path,tags" > (out "/train.csv"); print "path,tags" > (out "/valid.csv"); next }
  { line = dir "/" $2 "," $7; if (NR - 2 < from) print line > (out "/train.csv"); else print line > (out "/valid.csv") }
' "$work/synth-corpus/manifest.csv"
tags=piano,organ,guitar,bass,strings,brass,reed,synth-lead,synth-pad,drums,no-drums,major,minor,slow,medium,fast
resume=(); [ -f "$work/exp/run/checkpoint.safetensors" ] && resume=(--resume)
/usr/bin/time -f "train-default-tagger: training took %e s" "$musicml" train tagger \
  --train "$work/exp/train.csv" --valid "$work/exp/valid.csv" --tags "$tags" \
  --arch shortchunk --width 32 --crop-seconds 4 --batch-size 16 --lr 1e-3 --seed 1 --augment --epochs 50 --patience 8 \
  --out "$work/exp/run" "${resume[@]}"
"$musicml" models export "$work/exp/run" --name musicml_synth --out "$repo/models"
shared="$repo/../shared/eval/synth/manifest.csv"
if [ -f "$shared" ]; then "$musicml" eval tagger --model "$repo/models/musicml_synth.safetensors" --manifest "$shared"
else echo "train-default-tagger: $shared not found; skipped the evaluation" >&2; fi
