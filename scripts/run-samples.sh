#!/usr/bin/env bash
# The main job on the bundled samples: installs what is needed (scripts/setup.sh), then runs musicml analyze over
# audio-samples/ and writes the results under out/samples/: report/ (an HTML page per clip and index.html),
# analysis/<stem>.json, analysis.csv, and the features of every clip. Re-running overwrites the same files.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo/scripts/setup.sh"
musicml() { dotnet "$repo/src/MusicML.Cli/bin/Release/net10.0/musicml.dll" "$@"; }
out="$repo/out/samples"
mkdir -p "$out"
musicml info "$repo/audio-samples"
musicml analyze "$repo/audio-samples" --out "$out/analysis/" --report "$out/report"
musicml analyze "$repo/audio-samples" --format csv --out "$out/analysis.csv"
for f in "$repo"/audio-samples/*.wav; do
  stem="$(basename "$f" .wav)"
  for kind in mel mfcc chroma_stft; do
    musicml features "$f" --kind "$kind" --out "$out/$stem.$kind.npy"
  done
done
echo "run-samples: open $out/report/index.html; JSON in $out/analysis/, CSV in $out/analysis.csv, features in $out"
