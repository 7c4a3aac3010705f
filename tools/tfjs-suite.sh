#!/usr/bin/env bash
# tfjs-core's own op suite (about 4,200 specs shipped in @tensorflow/tfjs-core/dist) against the 'simdnet' tfjs
# backend: bundles test/tfjs/suite/entry.ts with esbuild into build-tfjs/ and runs it under jasmine 4.2
# (test/tfjs/suite/run.cjs). Exits non-zero on any failed spec. Needs the addon built (build/Release/simdnet.node);
# SIMDNET_REQUIRE_NATIVE=1 is set so a missing addon fails instead of testing the CPU kernels under another name.
# Usage: bash tools/tfjs-suite.sh [jasmine-filter-free; no arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build-tfjs
# --main-fields=module,main: the backend and the specs share one ESM copy of tfjs-core.
# --ignore-annotations: tfjs-core's "sideEffects" list omits the spec files; without it esbuild drops them.
# import.meta.url: lib/native.ts finds the package root (and the addon) from it; in a CJS bundle it is the bundle's
# own URL, and build-tfjs/ sits one level below the root as dist/ does.
npx esbuild test/tfjs/suite/entry.ts --bundle --platform=node --format=cjs --main-fields=module,main \
  --ignore-annotations --external:jasmine --external:jasmine-core --external:node-gyp-build \
  --define:import.meta.url=__simdnetBundleUrl \
  --banner:js="const __simdnetBundleUrl = require('node:url').pathToFileURL(__filename).href;" \
  --log-level=error --outfile=build-tfjs/suite.cjs
SIMDNET_REQUIRE_NATIVE=1 node test/tfjs/suite/run.cjs build-tfjs/suite.cjs
