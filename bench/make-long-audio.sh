#!/usr/bin/env bash
# Makes the two-hour test recordings of the memory table in bench/README.md (issue 9, "Bounded memory"):
#   $OUT/long-2h-22050-mono.wav    22.05 kHz mono 16-bit WAV   (~318 MB)
#   $OUT/long-2h-44100-stereo.flac 44.1 kHz stereo 16-bit FLAC (~0.5-1 GB)
# by concatenating the repository's audio-samples clips (real music: beats, chords, key) until two hours are filled.
# Never commit the results; they go to /tmp by default. Idempotent: existing files of the right length are kept, and
# sox/flac are installed with apt-get only when missing (MUSICML_SKIP_APT=1 forbids that).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/musicml-long}"
seconds="${MUSICML_LONG_SECONDS:-7200}"
mkdir -p "$out"
if ! command -v sox >/dev/null || ! command -v flac >/dev/null; then
  if [[ "${MUSICML_SKIP_APT:-0}" == 1 ]]; then echo "sox and flac are needed (apt-get install sox flac)" >&2; exit 1; fi
  apt-get install -y -qq sox flac >/dev/null
fi
wav="$out/long-2h-22050-mono.wav"
flac="$out/long-2h-44100-stereo.flac"
clips=("$here"/audio-samples/*.wav)
tmp="$(mktemp -d "$out/.make.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
length() { soxi -D "$1" 2>/dev/null || echo 0; }
if [[ "$(printf '%.0f' "$(length "$wav")")" != "$seconds" ]]; then
  # One pass over every clip at 22.05 kHz mono, repeated until it covers the duration, then cut to it exactly.
  sox "${clips[@]}" -r 22050 -c 1 "$tmp/cycle.wav"
  cycle="$(length "$tmp/cycle.wav")"
  repeats=$(python3 -c "import math; print(math.ceil($seconds / $cycle))")
  sox "$tmp/cycle.wav" "$tmp/long.wav" repeat $((repeats - 1)) trim 0 "$seconds"
  mv "$tmp/long.wav" "$wav"
fi
if [[ "$(printf '%.0f' "$(length "$flac")")" != "$seconds" ]]; then
  # Stereo with different channels (the second delayed 7 ms) so a downmix is not a plain copy.
  sox "$wav" -r 44100 -b 16 "$tmp/long.flac" remix 1 1 delay 0 0.007 trim 0 "$seconds"
  mv "$tmp/long.flac" "$flac"
fi
ls -la "$wav" "$flac"
