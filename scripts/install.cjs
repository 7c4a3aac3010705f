#!/usr/bin/env node
// npm "install" hook: node-gyp-build as usual (load prebuilds/<platform>-<arch> or an existing build/, else compile
// with node-gyp), with the offline-safe header location of scripts/node-env.cjs.
//
// In a development checkout (a git clone: `.git` beside package.json) it compiles nothing: the README's
// `npm ci && npm run build` builds the addon with cmake-js right after, and compiling it here with node-gyp first
// doubled the newcomer's wait (~50 s per build on 2 cores). An installed package never has `.git` (npm packs
// before installing, git dependencies included), so users still get the prebuild or the node-gyp fallback.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
if (existsSync(join(root, '.git')) && existsSync(join(root, 'CMakeLists.txt')) && !process.env.SIMDNET_INSTALL_BUILD) {
  console.log('simdnet: development checkout, not compiling the addon at install: `npm run build` does it ' +
    '(set SIMDNET_INSTALL_BUILD=1 to compile here with node-gyp instead)');
  process.exit(0);
}
require('./node-env.cjs').runWithNodeGypEnv(require.resolve('node-gyp-build/bin.js'), process.argv.slice(2));
