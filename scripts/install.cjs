#!/usr/bin/env node
// npm "install" hook: node-gyp-build as usual (load prebuilds/<platform>-<arch> or an existing build/, else compile
// with node-gyp), but with npm_config_nodedir pointing at the running Node's own headers when they are installed
// beside it (Debian's /usr/include/node, official tarballs, nvm), so a source build needs no header download and
// works offline. Same rule as scripts/node-gyp.cjs; recipe and why: ../shared/TOOLCHAIN.md section 3.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const prefix = path.resolve(process.execPath, '..', '..');
  const inc = path.join(prefix, 'include', 'node');
  if (fs.existsSync(path.join(inc, 'node_api.h')) && fs.existsSync(path.join(inc, 'common.gypi'))) env.npm_config_nodedir = prefix;
}
const r = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js'), ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
