#!/usr/bin/env bash
# Builds the native libtorch shim (src/MusicML.Torch/native) with CMake against whichever libtorch is present:
# Debian's libtorch-dev by default, or the one named by Torch_DIR / TORCH_ROOT (e.g. a CUDA libtorch inside a
# PyTorch install). Skips the build when the library is newer than every source file.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
native="$repo/src/MusicML.Torch/native"
[ -f "$native/CMakeLists.txt" ] || { echo "build-native: no native sources yet"; exit 0; }
build="${MUSICML_NATIVE_BUILD_DIR:-$native/build}"
lib="$build/libmusicml_torch.so"
if [ -f "$lib" ] && [ -z "$(find "$native" -path "$build" -prune -o \( -name '*.cpp' -o -name '*.h' -o -name 'CMakeLists.txt' \) -newer "$lib" -print -quit)" ]; then
  exit 0
fi
cmake_args=(-S "$native" -B "$build" -DCMAKE_BUILD_TYPE=Release)
[ -n "${Torch_DIR:-}" ] && cmake_args+=("-DTorch_DIR=$Torch_DIR")
[ -n "${TORCH_ROOT:-}" ] && cmake_args+=("-DCMAKE_PREFIX_PATH=$TORCH_ROOT")
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
echo "build-native: built $lib"
