#!/usr/bin/env bash
# Configures build-asan/: the ASan + UBSan (+ float-cast-overflow) build, RelWithDebInfo, that both the C++ suites
# (tools/ctest.sh sanitize) and the sanitized addon (tools/addon-sanitize.sh) build in. Why one directory: the two
# used to compile every kernel separately with the same flags, and that compile was most of their time (on the Zen 3
# EPYC CI host, about 300 s of ctest sanitize's 348 s and of addon-sanitize's 471 s). One configure, through cmake-js
# when the repo has it (the addon needs its Node headers and -DBUILDING_NODE_EXTENSION, which would otherwise make a
# later cmake-js configure rebuild everything), serves both: whichever script runs second finds the kernels built.
# Without node_modules it configures the C++ suites alone (the addon needs cmake-js). Usage: bash tools/asan-configure.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-asan
gen=()
if [[ -z "${CMAKE_GENERATOR:-}" ]] && command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi
mkdir -p "$dir"
if [[ -x node_modules/.bin/cmake-js ]]; then
  # cmake-js's own generator choice is Ninja when installed, as above.
  node_modules/.bin/cmake-js configure -O "$dir" --CDSIMDNET_SANITIZE=ON --CDCMAKE_BUILD_TYPE=RelWithDebInfo \
    --CDSIMDNET_BUILD_TESTS=ON --CDSIMDNET_BUILD_ADDON=ON >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
else
  cmake -S . -B "$dir" "${gen[@]}" -DSIMDNET_BUILD_ADDON=OFF -DSIMDNET_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSIMDNET_SANITIZE=ON >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
fi
