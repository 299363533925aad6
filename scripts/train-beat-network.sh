#!/usr/bin/env bash
# Regenerates the bundled beat and downbeat network models/musicml_beats.safetensors from data the project makes
# itself (issue 11). Outside the test suite; measured on the 2-core reference machine on 2026-12-04: corpus 4.3 min,
# features 41 s, 22 epochs of 8-10 s undisturbed (about 5 min of training).
#   1. musicml corpus synth --expressive: 1,000 clips of 15-30 s, seeds 2,000,000-2,000,999 (disjoint from
#      ../shared/eval/synth, whose seeds all lie above 11,000,000), with tempo curves (drift, ramps, rubato,
#      ritardando), swing, loose timing, laid-back drums and bass, every GM family and the eight drum kits of the
#      tagging corpus; 1.2 GB.
#   2. musicml train beats: 10 % of the clips (seeded) held out for model selection, one NWaves-augmented copy of
#      each training clip (gain, EQ or band-pass, noise, pitch shift; no time stretch), 22 epochs, dilations 1-64
#      (receptive field about ±2.5 s), 32 channels, seed 2026; the epoch with the best validation beat F-measure is
#      kept (epoch 19, F 0.940). Same seed, same run on the CPU.
#   3. The weights are copied to models/; MusicML.Mir embeds them at build time.
#   A larger variant (2,500 clips, dilations 1-256, 40 epochs, 29 min) scored a little higher on the held-out corpus
#   but read simple drum and bass loops at half tempo; docs/accuracy.md has both. No evaluation clip (../shared) is
#   used for training or selection; scripts/compare-rhythm.sh scores the result.
#   scripts/train-beat-network.sh [WORK_DIR]      default ~/musicml-data; complete corpus clips are kept on a rerun.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$HOME/musicml-data}"
case "$(cd "$(dirname "$work")" 2>/dev/null && pwd)/$(basename "$work")/" in
  "$repo"/*) echo "train-beat-network: $work is inside the repository; use a folder outside git" >&2; exit 2 ;;
esac
"$repo/scripts/setup.sh"
musicml="$repo/src/MusicML.Cli/bin/Release/net10.0/musicml"
jobs="${JOBS:-$(nproc)}"
"$musicml" corpus synth --expressive --out "$work/rhythm-corpus" --count 1000 --seed 2000000 --seconds 15-30 --workers "$jobs"
mkdir -p "$work/beats"
/usr/bin/time -f "train-beat-network: training took %e s" "$musicml" train beats \
  --corpus "$work/rhythm-corpus" --out "$work/beats/musicml_beats.safetensors" \
  --epochs 22 --dilations 1,2,4,8,16,32,64 --channels 32 --augmented-copies 1 --seed 2026
cp "$work/beats/musicml_beats.safetensors" "$repo/models/musicml_beats.safetensors"
echo "train-beat-network: wrote models/musicml_beats.safetensors; rebuild (scripts/setup.sh) to embed it"
