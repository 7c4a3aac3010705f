#!/usr/bin/env node
// npm "install" hook: node-gyp-build as usual (load prebuilds/<platform>-<arch> or an existing build/, else compile
// with node-gyp), with the offline-safe header location of scripts/node-env.cjs.
require('./node-env.cjs').runWithNodeGypEnv(require.resolve('node-gyp-build/bin.js'), process.argv.slice(2));
