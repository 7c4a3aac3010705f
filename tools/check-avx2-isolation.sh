#!/usr/bin/env bash
# Only AVX2 code may use AVX: the same binary must run on an x86-64 CPU without it. The AVX2 kernels get their
# instructions from `#pragma GCC target("avx2,fma")` regions (simd/avx2-begin.h) inside kernels/*/avx2.cc; nothing is
# built with -mavx2. This checks the linked result, where an inline function or template instantiated inside an AVX2
# region and merged with a baseline copy (a weak symbol) would show up: every function of each given binary whose
# disassembly holds a VEX-encoded instruction (an AVX mnemonic, v...) must be AVX2 code by name (namespace
# simdnet::avx2 or a *__avx2 kernel). Prints one ok/FAIL line per binary and "N passed, N failed".
# Usage: tools/check-avx2-isolation.sh build/Release/simdnet.node prebuilds/linux-x64/simdnet.glibc.node ...
set -uo pipefail
passed=0 failed=0
if [[ $(uname -m) != x86_64 ]]; then
  echo "ok   not an x86-64 host: no AVX to isolate"
  echo "1 passed, 0 failed"
  exit 0
fi
for bin in "$@"; do
  if [[ ! -f $bin ]]; then
    echo "FAIL $bin: missing"
    failed=$((failed + 1))
    continue
  fi
  # function label lines look like "0000000000012340 <simdnet::avx2::(anonymous namespace)::foo(...)>:"
  vex_fns=$(objdump -d --no-show-raw-insn -C "$bin" |
    awk '/^[0-9a-f]+ <.*>:$/ { fn = $0; next } /^[ \t]+[0-9a-f]+:[ \t]+v[a-z]/ { if (!(fn in seen)) { seen[fn] = 1; print fn } }')
  total=$(grep -c . <<<"$vex_fns")
  leaks=$(grep -v -e 'avx2' <<<"$vex_fns" | grep .)
  if [[ $total -eq 0 ]]; then
    echo "FAIL $bin: no function uses AVX at all (were the AVX2 kernels built, and are symbols present?)"
    failed=$((failed + 1))
  elif [[ -n $leaks ]]; then
    echo "FAIL $bin: AVX instructions outside the AVX2 kernels:"
    sed 's/^/    /' <<<"$leaks"
    failed=$((failed + 1))
  else
    echo "ok   $bin: $total functions use AVX, all of them AVX2 kernels"
    passed=$((passed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
