#!/usr/bin/env bash
# Prepares a Debian 12 machine with the .NET 10 SDK for MusicML: installs the native engines MusicML binds
# (only those missing, so a second run does nothing), builds the libtorch shim and the solution (Release).
# Safe to run repeatedly. Set MUSICML_SKIP_APT=1 to skip package installation (e.g. without root).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

packages=(
  libsndfile1          # decoding FLAC/Ogg/Opus/MP3/AIFF (MusicML.Audio)
  libsoxr0             # high-quality resampling (MusicML.Audio)
  libfftw3-single3     # fast FFT (MusicML.Dsp)
  libopenblas0-pthread # fast linear algebra inside libtorch
  libtorch-dev         # deep learning engine (MusicML.Torch), headers + CMake config for the shim
  cmake g++ make       # building the native shim
  chromium             # headless render test of the analyze HTML report (tests/MusicML.Cli.Tests)
  fluidsynth           # renders the synthetic training corpus (musicml corpus synth, MusicML.Tagging/Corpus)
  fluid-soundfont-gm   # FluidR3_GM.sf2, the General MIDI soundfont the corpus is rendered with
  slurm-wlm            # the Slurm array integration test (tests/integration/slurm-array.sh)
  munge                # authentication for that test's private Slurm cluster
)

if [ "${MUSICML_SKIP_APT:-0}" != "1" ]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

"$repo/scripts/build-native.sh"
dotnet build "$repo/MusicML.sln" -c Release -nologo -v quiet -clp:ErrorsOnly
