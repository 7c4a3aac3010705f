#!/usr/bin/env bash
# Packed-tarball install test: what a user without a compiler gets from `npm install simdnet`.
# Needs `npm run prebuildify` (prebuilds/<platform>-<arch>/simdnet.<libc>.node) and `npm run build:ts` (dist/) first;
# .ci/run does both. Steps: the prebuild loads; `npm pack` holds every file package.json points at, the prebuild, and
# the sources the install-time fallback build needs; the tarball installs with --ignore-scripts into an empty project;
# there smoke.mjs loads the addon from prebuilds/ only (PREBUILDS_ONLY=1, no build/), trains a model and runs
# kernels; then, with the installed prebuilds/ removed, `npm rebuild simdnet` must compile the install-time fallback
# with node-gyp and simdnet must run on it.
# Prints ok/FAIL per check and ends with "N passed, N failed"; exit status 1 on any failure.
# Usage: bash test/package/run.sh [work dir]   (default: a fresh mktemp dir, removed afterwards unless KEEP=1)
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/simdnet-package.XXXXXX")}"
mkdir -p "$work"
[[ -z "${1:-}" && "${KEEP:-0}" != 1 ]] && trap 'rm -rf "$work"' EXIT

passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
# check <name> <command...>: runs the command quietly; shows its output only on failure.
check() {
  local name="$1" out
  shift
  if out="$("$@" 2>&1)"; then ok "$name"; else fail "$name"; printf '%s\n' "$out" | tail -20 | sed 's/^/    /'; fi
}
finish() { echo "$passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit $?; }

platform="$(node -p 'process.platform + "-" + process.arch')"
# node-gyp-build's libc tag: glibc unless this is a musl system (prebuildify --tag-libc names the file the same way).
libc=glibc
if [[ "$platform" == linux-* ]] && ldd --version 2>&1 | grep -qi musl; then libc=musl; fi
[[ "$platform" == linux-* ]] && prebuild="prebuilds/$platform/simdnet.$libc.node" || prebuild="prebuilds/$platform/simdnet.node"

check "prebuild $prebuild exists" test -f "$prebuild"
check "prebuild loads and reports an ISA it has" node -e "
  const b = require('./$prebuild');
  if (!b.availableIsas().includes(b.isa())) throw new Error('isa ' + b.isa() + ' not in ' + b.availableIsas());"
check "dist/ is built" test -f dist/native.js

# --- npm pack -------------------------------------------------------------------------------------------------------
rm -f "$work"/simdnet-*.tgz
if ! npm pack --json --pack-destination "$work" >"$work/pack.json" 2>"$work/pack.err"; then
  fail "npm pack" "$(tail -5 "$work/pack.err")"
  finish
fi
ok "npm pack"
tgz="$(ls "$work"/simdnet-*.tgz)"
# Each check reads the tarball's file list from npm's JSON report.
pack_has() { # pack_has <name> <node expression over `files` (a Set of paths) that is true when fine>
  check "$1" node -e "
    const files = new Set(require('$work/pack.json')[0].files.map((f) => f.path));
    const pkg = require('./package.json');
    const bad = ($2);
    if (bad.length) { console.log(bad.join('\n')); process.exit(1); }"
}
pack_has "tarball holds the prebuild (prebuilds/ is gitignored but listed in \"files\")" "files.has('$prebuild') ? [] : ['$prebuild']"
pack_has "tarball holds every file package.json points at (main, types, exports, bin)" "
  [...new Set([pkg.main, pkg.types, ...Object.values(pkg.bin ?? {}),
   ...Object.values(pkg.exports ?? {}).flatMap((e) => typeof e === 'string' ? [e] : Object.values(e))]
    .filter(Boolean).map((p) => p.replace(/^\.\//, '')))].filter((p) => !files.has(p)).map((p) => 'missing ' + p)"
pack_has "tarball holds the sources of the install-time build (binding.gyp, tools/sources.cjs, native/src)" "
  ['binding.gyp', 'tools/sources.cjs', 'scripts/node-gyp.cjs',
   ...require('child_process').execFileSync('node', ['tools/sources.cjs', 'addon', '--sep=\n'], { encoding: 'utf8' }).split('\n'),
   ...require('child_process').execFileSync('git', ['ls-files', 'native/src'], { encoding: 'utf8' }).split('\n').filter((p) => /\.(h|inc)$/.test(p))]
    .filter(Boolean).filter((p) => !files.has(p)).map((p) => 'missing ' + p)"
pack_has "tarball holds no build output, tests or node_modules" "
  [...files].filter((p) => /^(build[^/]*|test|node_modules|bench\/results)\//.test(p) || /\.tgz$/.test(p))"

# --- install into an empty project with --ignore-scripts (nothing may compile) -------------------------------------
app="$work/app"
rm -rf "$app" && mkdir -p "$app"
printf '{ "name": "simdnet-smoke", "version": "1.0.0", "private": true, "type": "module" }\n' >"$app/package.json"
# --prefer-offline: the dependencies are in npm's cache after `npm ci`; the registry is only asked for what is not.
if (cd "$app" && npm install --ignore-scripts --no-audit --no-fund --prefer-offline "$tgz") >"$work/install.log" 2>&1; then
  ok "npm install --ignore-scripts <tarball> into an empty project"
else
  fail "npm install --ignore-scripts <tarball> into an empty project" "$(tail -20 "$work/install.log")"
  finish
fi

cp "$repo/test/package/smoke.mjs" "$app/smoke.mjs"
# The smoke test's own lines are indented so only this script's total line is counted (tools/test-summary.mjs).
smoke_out="$(cd "$app" && PREBUILDS_ONLY=1 SIMDNET_REQUIRE_NATIVE=1 node smoke.mjs 2>&1)"
smoke_rc=$?
printf '%s\n' "$smoke_out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$' | sed 's/^/  smoke: /'
if [[ "$(printf '%s\n' "$smoke_out" | tail -1)" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
  [[ $smoke_rc -ne 0 && ${BASH_REMATCH[2]} -eq 0 ]] && fail "smoke.mjs exit status $smoke_rc"
else
  fail "smoke.mjs ended without a summary (exit status $smoke_rc)"
fi

# --- the install-time fallback: no prebuild for this platform, so the install hook compiles with node-gyp --------
# What a user on a platform without a prebuild gets, and what the loader's advice (`npm rebuild simdnet`) does: the
# prebuilds/ folder of the installed package is removed, `npm rebuild simdnet` runs the install hook (node-gyp-build:
# nothing to load, so node-gyp compiles the packed sources, offline) and the addon then loads from build/Release.
# SIMDNET_SKIP_FALLBACK_BUILD=1 skips this (~1 min on 2 cores).
if [[ "${SIMDNET_SKIP_FALLBACK_BUILD:-0}" != 1 ]]; then
  pkg="$app/node_modules/simdnet"
  rm -rf "$pkg/prebuilds" "$pkg/build"
  if (cd "$app" && npm rebuild simdnet --foreground-scripts) >"$work/rebuild.log" 2>&1; then
    ok "npm rebuild simdnet compiles the addon with node-gyp when no prebuild matches"
  else
    fail "npm rebuild simdnet compiles the addon with node-gyp when no prebuild matches" "$(tail -20 "$work/rebuild.log")"
  fi
  cat >"$app/fallback.mjs" <<'JS'
// The installed package's addon must now come from build/Release (compiled just now), and simdnet must run on it.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
const req = createRequire(import.meta.url);
const pkg = dirname(req.resolve('simdnet/package.json'));
const file = createRequire(`${pkg}/package.json`)('node-gyp-build').resolve(pkg);
if (!file.endsWith('/build/Release/simdnet.node')) throw new Error(`resolved ${file}`);
const K = await import('simdnet/kernels');
if (K.runtimeInfo().backend !== 'native') throw new Error(`backend ${K.runtimeInfo().backend}`);
if (K.sum(3, Float32Array.of(1, 2, 3)) !== 6) throw new Error('sum');
console.log(`${file}: isa ${K.runtimeInfo().isa}`);
JS
  check "the compiled addon is build/Release/simdnet.node and simdnet runs on it" \
    bash -c "cd '$app' && SIMDNET_REQUIRE_NATIVE=1 node fallback.mjs"
fi
finish
