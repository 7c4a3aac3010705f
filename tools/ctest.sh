#!/usr/bin/env bash
# Configure, build and run the C++ test suites (test/native/*-test.cc) in one flavour, each in its own build dir:
#   plain     build-native   host compiler, Release
#   sanitize  build-asan     AddressSanitizer + UndefinedBehaviorSanitizer (SIMDNET_SANITIZE=ON), RelWithDebInfo,
#                            configured by tools/asan-configure.sh (with the addon when cmake-js is installed: CI's
#                            addon-sanitize stage then builds in the same directory)
#   arm64     build-arm64    cross-compiled with aarch64-linux-gnu-g++, run under qemu-aarch64 (NEON + scalar paths)
# Usage: bash tools/ctest.sh [plain|sanitize|arm64 ...|all]   (default: plain)   `npm run test:native` runs plain.
# Each test binary prints "N passed, N failed" (test/native/check.h); ctest's verbose log of every flavour goes to
# <build dir>/ctest.log, which tools/test-summary.mjs reads (.ci/run sums them with the other stages).
# Env: SIMDNET_CTEST_JOBS (parallel builds/tests, default: nproc), CMAKE_GENERATOR (default Ninja when installed).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs="${SIMDNET_CTEST_JOBS:-$(nproc 2>/dev/null || echo 2)}"
gen=()
if [[ -z "${CMAKE_GENERATOR:-}" ]] && command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi

run_flavour() {
  local flavour="$1" dir
  local -a cfg=(-DSIMDNET_BUILD_ADDON=OFF -DSIMDNET_BUILD_TESTS=ON)
  # Sanitizer runtime settings: stop at the first UB report, print stacks; leak checking stays on (the default).
  export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:strict_string_checks=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  case "$flavour" in
    plain) dir=build-native; cfg+=(-DCMAKE_BUILD_TYPE=Release) ;;
    sanitize) dir=build-asan ;;  # its configure: tools/asan-configure.sh, below
    arm64)
      dir=build-arm64
      local sysroot="${SIMDNET_AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}"
      command -v aarch64-linux-gnu-g++ >/dev/null || { echo "tools/ctest.sh: aarch64-linux-gnu-g++ not found (apt-get install g++-aarch64-linux-gnu)" >&2; return 1; }
      command -v qemu-aarch64 >/dev/null || { echo "tools/ctest.sh: qemu-aarch64 not found (apt-get install qemu-user)" >&2; return 1; }
      # CMAKE_CROSSCOMPILING_EMULATOR makes add_test() commands run as `qemu-aarch64 -L <sysroot> <binary>`.
      cfg+=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64
            -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ "-DCMAKE_CROSSCOMPILING_EMULATOR=qemu-aarch64;-L;$sysroot") ;;
    *) echo "tools/ctest.sh: unknown flavour '$flavour' (plain | sanitize | arm64)" >&2; return 2 ;;
  esac
  echo "== ctest $flavour: configure ($dir)"
  mkdir -p "$dir"
  if [[ "$flavour" == sanitize ]]; then
    # Shared with tools/addon-sanitize.sh (the sanitized addon builds in the same directory, on the same objects).
    bash tools/asan-configure.sh || return 1
  else
    cmake -S . -B "$dir" "${gen[@]}" "${cfg[@]}" >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; return 1; }
  fi
  echo "== ctest $flavour: build"
  # Keep going past a target that fails to build, so the suites that do build still run (and count); the missing
  # ones show up as failed/"Not Run" in ctest, and the flavour fails either way.
  local rc=0 keep_going=()
  if grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt"; then keep_going=(-- -k 0)
  elif grep -q 'Makefiles' "$dir/CMakeCache.txt"; then keep_going=(-- -k); fi
  cmake --build "$dir" --parallel "$jobs" "${keep_going[@]}" || { rc=$?; echo "== ctest $flavour: BUILD FAILED"; }
  echo "== ctest $flavour: run"
  # -V keeps every binary's output (prefixed "<test#>: ") so the per-binary summary lines can be counted.
  ctest --test-dir "$dir" -V --parallel "$jobs" --timeout 900 >"$dir/ctest.log" 2>&1 || rc=1
  # Show the per-binary summaries and any failure detail; the full log stays in $dir/ctest.log.
  grep -E '^[0-9]+: (FAIL|  FAIL|.*(ERROR|runtime error|Sanitizer)|[0-9]+ passed, [0-9]+ failed)|Test +#[0-9]+:|tests passed|tests failed' \
    "$dir/ctest.log" || true
  if [[ $rc -ne 0 ]]; then echo "== ctest $flavour: FAILED (full log: $dir/ctest.log)"; fi
  return $rc
}

flavours=("$@")
[[ ${#flavours[@]} -eq 0 ]] && flavours=(plain)
[[ "${flavours[*]}" == all ]] && flavours=(plain sanitize arm64)
status=0
for f in "${flavours[@]}"; do run_flavour "$f" || status=1; done
exit $status
