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
# Naming a different libtorch (Torch_DIR / TORCH_ROOT) starts from a fresh CMake cache, otherwise the cached choice
# would silently win. Naming none keeps the last choice, so a plain `dotnet build` never swaps a CUDA build for
# Debian's CPU one (docs/cuda.md).
selection="Torch_DIR=${Torch_DIR:-} TORCH_ROOT=${TORCH_ROOT:-}"
stamp="$build/.torch-selection"
if [ -n "${Torch_DIR:-}${TORCH_ROOT:-}" ] && [ "$(cat "$stamp" 2>/dev/null)" != "$selection" ]; then rm -rf "$build"; fi
if [ -f "$lib" ] && [ -z "$(find "$native" -path "$build" -prune -o \( -name '*.cpp' -o -name '*.h' -o -name 'CMakeLists.txt' \) -newer "$lib" -print -quit)" ]; then
  exit 0
fi
cmake_args=(-S "$native" -B "$build" -DCMAKE_BUILD_TYPE=Release)
[ -n "${Torch_DIR:-}" ] && cmake_args+=("-DTorch_DIR=$Torch_DIR")
[ -n "${TORCH_ROOT:-}" ] && cmake_args+=("-DCMAKE_PREFIX_PATH=$TORCH_ROOT")
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
[ -n "${Torch_DIR:-}${TORCH_ROOT:-}" ] && echo "$selection" > "$stamp"
echo "build-native: built $lib"
