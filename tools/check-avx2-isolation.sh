#!/usr/bin/env bash
# Only the AVX2 and AVX-512 kernels may use AVX: the same binary must run on an x86-64 CPU without it. Their
# instructions come from `#pragma GCC target(...)` regions (simd/avx2-begin.h, simd/avx512-begin.h) inside
# kernels/*/avx2.cc and kernels/*/avx512.cc; nothing is built with -mavx2 or -mavx512f. This checks the linked result,
# where an inline function or template instantiated inside such a region and merged with a baseline copy (a weak
# symbol) would show up. It reads each instruction's encoding from its raw bytes (after any legacy prefix):
#   - EVEX (0x62, AVX-512) may appear only in AVX-512 code by name (namespace simdnet::avx512 or a *__avx512 kernel);
#   - VEX (0xC4/0xC5, AVX/AVX2/FMA, and the AVX-512 opmask instructions) only in AVX2 or AVX-512 code by name.
# Prints one ok/FAIL line per binary and "N passed, N failed".
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
  # function label lines look like "0000000000012340 <simdnet::avx2::(anonymous namespace)::foo(...)>:"; instruction
  # lines "  12345:\t62 f1 7c 48 58 c1 \tvaddps %zmm1,%zmm0,%zmm0" (continuation lines of long encodings have no
  # third field and are skipped). Output: "V <fn>" / "E <fn>" once per function and encoding.
  enc_fns=$(objdump -d -C "$bin" | awk -F'\t' '
    /^[0-9a-f]+ <.*>:$/ { fn = $0; next }
    NF >= 3 && $3 != "" {
      n = split($2, by, " "); i = 1
      while (i <= n && by[i] ~ /^(26|2e|36|3e|64|65|66|67|f2|f3)$/) i++
      e = (by[i] == "62") ? "E" : (by[i] == "c4" || by[i] == "c5") ? "V" : ""
      if (e != "" && !((e fn) in seen)) { seen[e fn] = 1; print e " " fn }
    }')
  vex_total=$(grep -c '^V ' <<<"$enc_fns")
  evex_total=$(grep -c '^E ' <<<"$enc_fns")
  vex_leaks=$(grep '^V ' <<<"$enc_fns" | grep -v -e 'avx2' -e 'avx512' | grep .)
  evex_leaks=$(grep '^E ' <<<"$enc_fns" | grep -v -e 'avx512' | grep .)
  if [[ $vex_total -eq 0 ]]; then
    echo "FAIL $bin: no function uses AVX at all (were the AVX2 kernels built, and are symbols present?)"
    failed=$((failed + 1))
  elif [[ -n $vex_leaks || -n $evex_leaks ]]; then
    [[ -n $vex_leaks ]] && { echo "FAIL $bin: VEX (AVX) instructions outside the AVX2/AVX-512 kernels:"; sed 's/^V /    /' <<<"$vex_leaks"; }
    [[ -n $evex_leaks ]] && { echo "FAIL $bin: EVEX (AVX-512) instructions outside the AVX-512 kernels:"; sed 's/^E /    /' <<<"$evex_leaks"; }
    failed=$((failed + 1))
  else
    echo "ok   $bin: $vex_total functions use VEX (AVX2/AVX-512 kernels only), $evex_total use EVEX (AVX-512 kernels only)"
    passed=$((passed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
