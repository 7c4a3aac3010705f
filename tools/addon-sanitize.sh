#!/usr/bin/env bash
# The addon under AddressSanitizer + UndefinedBehaviorSanitizer (+ float-cast-overflow): the N-API layer's argument
# checks are what stands between a caller's bad input and the kernels, and the C++ suites (tools/ctest.sh sanitize)
# never run them. Builds the addon with SIMDNET_SANITIZE=ON in build-asan/ (tools/asan-configure.sh: the directory
# the sanitized C++ suites build in, so after them only the addon's own files compile), puts it in a copy of the package
# (build/Release of the copy, so node-gyp-build loads it and nothing else), and runs the vitest suites that drive the
# addon there with the sanitizer runtimes preloaded into Node: the kernels (test/kernels/fuzz.test.ts: thousands of
# bad calls), the addon, the engines, layers and save/load. Any report aborts the worker, which fails the run.
# Not test/models: its RSS-based leak tests measure ASan's quarantine, not simdnet.
# Usage: bash tools/addon-sanitize.sh [report.json]     (needs dist/: npm run build:ts)
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
report="${1:-$repo/build-asan/vitest.json}"
dir="$repo/build-asan"
bash tools/asan-configure.sh || exit 1
cmake --build "$dir" --target simdnet --parallel "$(nproc 2>/dev/null || echo 2)" || exit 1
pkg="$dir/package"
rm -rf "$pkg" && mkdir -p "$pkg/build/Release"
cp -r lib test dist docs data native bench package.json tsconfig.json vitest.config.ts "$pkg/"  # bench: helpers the tests share (peak-rss.mjs, longest-turn.mjs)
ln -s "$repo/node_modules" "$pkg/node_modules"
cp "$dir/Release/simdnet.node" "$pkg/build/Release/"
runtimes="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
cd "$pkg"
LD_PRELOAD="$runtimes" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  SIMDNET_REQUIRE_NATIVE=1 node node_modules/vitest/vitest.mjs run test/kernels test/addon test/engine test/layers test/io \
  --reporter=default --reporter=json --outputFile="$report"
