#!/usr/bin/env bash
# Catalogue throughput of `musicml batch` (issue 13, item 7): tracks per hour per core for the DSP tasks
# (tempo,key,beats,chords) and for the tagger (tags), on 30 s tracks, with 1 and 2 workers, measured in one run so
# the ratios compare like with like. Prints a Markdown table for bench/README.md.
#
#   bench/batch-throughput.sh [MUSICML] [TRACKS]      (defaults: the Release build in /tmp/mm-dev, 120 tracks)
#
# The tracks are 30 s excerpts of ../shared/eval/synth (looped where a clip is shorter), written to a temporary
# folder; nothing is written to the repository.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
musicml="${1:-/tmp/mm-dev/musicml}"
tracks="${2:-120}"
work="$(mktemp -d /tmp/musicml-throughput.XXXXXX)"
trap 'rm -rf "$work"' EXIT

python3 - "$repo/../shared/eval/synth" "$work/catalogue" "$tracks" <<'PY'
import os, sys, wave
source, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
clips = sorted(f for f in os.listdir(source) if f.endswith('.wav'))
os.makedirs(out, exist_ok=True)
for i in range(count):
    with wave.open(os.path.join(source, clips[i % len(clips)])) as r:
        params, frames = r.getparams(), r.readframes(r.getnframes())
    need = 30 * params.framerate * params.nchannels * params.sampwidth
    data = (frames * (need // len(frames) + 1))[:need]
    with wave.open(os.path.join(out, f"track{i:04d}.wav"), 'wb') as w:
        w.setparams(params)
        w.writeframes(data)
PY

run() { # NAME TASKS WORKERS → seconds
  local out="$work/out-$1"
  rm -rf "$out"
  local start end
  start=$EPOCHREALTIME
  MUSICML_NO_PROGRESS=1 "$musicml" batch "$work/catalogue" --out "$out" --tasks "$2" --workers "$3" >/dev/null 2>"$work/$1.log" || {
    echo "musicml batch failed (see below)" >&2; cat "$work/$1.log" >&2; exit 1; }
  end=$EPOCHREALTIME
  python3 -c "print($end - $start)"
}

dsp1=$(run dsp1 tempo,key,beats,chords 1)
dsp2=$(run dsp2 tempo,key,beats,chords 2)
tag1=$(run tag1 tags 1)
tag2=$(run tag2 tags 2)
cores=$(nproc)
python3 - "$tracks" "$cores" "$dsp1" "$dsp2" "$tag1" "$tag2" <<'PY'
import sys
n, cores = int(sys.argv[1]), int(sys.argv[2])
dsp1, dsp2, tag1, tag2 = map(float, sys.argv[3:])
print(f"{n} tracks of 30 s, {cores} cores; wall time includes process start and writing the outputs.\n")
print("| tasks | workers | wall (s) | tracks/hour | tracks/hour/core | speed-up 1 → 2 |")
print("| --- | --- | --- | --- | --- | --- |")
for name, t1, t2 in (("tempo,key,beats,chords", dsp1, dsp2), ("tags", tag1, tag2)):
    print(f"| {name} | 1 | {t1:.1f} | {n / t1 * 3600:,.0f} | {n / t1 * 3600:,.0f} | |")
    print(f"| {name} | 2 | {t2:.1f} | {n / t2 * 3600:,.0f} | {n / t2 * 3600 / 2:,.0f} | {t1 / t2:.2f}× |")
PY
