#!/usr/bin/env bash
# Generates the synthetic training corpus for MusicML's tagger (musicml corpus synth) into a folder outside git.
# The corpus is regenerated, never committed: every clip is reproducible from its seed (FIRST_SEED + index).
# Rerunning resumes: complete clips are skipped. Needs the Debian packages fluidsynth and fluid-soundfont-gm
# (scripts/setup.sh installs them).
#   scripts/make-synth-corpus.sh [OUT_DIR] [COUNT]     defaults: ~/musicml-data/synth-corpus, 400
# Environment: FIRST_SEED (default 1000000, disjoint from the evaluation set), SECONDS_RANGE (20-30), JOBS (CPU cores).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$HOME/musicml-data/synth-corpus}"
count="${2:-400}"
case "$(cd "$(dirname "$out")" 2>/dev/null && pwd)/" in
  "$repo"/*) echo "make-synth-corpus: $out is inside the repository; generate the corpus outside git" >&2; exit 2 ;;
esac
mkdir -p "$out"
dotnet build "$repo/src/MusicML.Cli" -c Release -nologo -v quiet -clp:ErrorsOnly
exec "$repo/src/MusicML.Cli/bin/Release/net10.0/musicml" corpus synth --out "$out" --count "$count" \
  --seed "${FIRST_SEED:-1000000}" --seconds "${SECONDS_RANGE:-20-30}" --workers "${JOBS:-$(nproc)}"
