#!/usr/bin/env bash
# Regenerates the codec fixtures (see README.md). Needs Debian's python3, sox and ffmpeg.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
tmp="$(mktemp -d)"
python3 - "$tmp" <<'PY'
import math, struct, sys, wave
def write(path, rate, freqs):
    with wave.open(path, "wb") as w:
        w.setnchannels(len(freqs)); w.setsampwidth(2); w.setframerate(rate)
        frames = bytearray()
        for n in range(rate):  # exactly 1 s
            for f in freqs:
                frames += struct.pack("<h", round(16384 * math.sin(2 * math.pi * f * n / rate)))
        w.writeframes(bytes(frames))
write(sys.argv[1] + "/mono22050.wav", 22050, [440])
write(sys.argv[1] + "/stereo22050.wav", 22050, [440, 660])
write(sys.argv[1] + "/mono48000.wav", 48000, [440])
PY
sox "$tmp/mono22050.wav" sine440.aiff
sox "$tmp/stereo22050.wav" sine440_660_stereo.flac
ffmpeg -v error -y -i "$tmp/mono22050.wav" -c:a libvorbis -q:a 4 sine440.ogg
ffmpeg -v error -y -i "$tmp/mono48000.wav" -c:a libopus -b:a 64k sine440.opus
ffmpeg -v error -y -i "$tmp/mono22050.wav" -c:a libmp3lame -b:a 64k sine440.mp3
rm -rf "$tmp"
