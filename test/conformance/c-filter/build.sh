#!/usr/bin/env sh
# Rebuilds filter.wasm from filter.c (committed, so tests need no C toolchain).
# Needs clang and wasm-ld (Debian: apt-get install clang lld).
set -eu
cd "$(dirname "$0")"
clang --target=wasm32 -O2 -nostdlib -fno-builtin \
  -Wl,--no-entry -Wl,--strip-debug \
  -o filter.wasm filter.c
echo "built $(pwd)/filter.wasm ($(wc -c < filter.wasm) bytes)"
