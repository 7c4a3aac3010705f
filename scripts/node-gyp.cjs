#!/usr/bin/env node
// node-gyp with the running Node's own headers (scripts/node-env.cjs): used by build:native and prebuildify.
require('./node-env.cjs').runWithNodeGypEnv(require.resolve('node-gyp/bin/node-gyp.js'), process.argv.slice(2));
