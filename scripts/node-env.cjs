// The environment for node-gyp (and node-gyp-build, which runs it): npm_config_nodedir pointing at the running Node's
// own headers when they are installed beside it (Debian's /usr/include/node, official tarballs, nvm), so a source
// build needs no header download and works offline. Recipe and why: ../shared/TOOLCHAIN.md section 3.
const fs = require('node:fs');
const path = require('node:path');

function nodeGypEnv(base = process.env) {
  const env = { ...base };
  if (!env.npm_config_nodedir) {
    const prefix = path.resolve(process.execPath, '..', '..');
    const inc = path.join(prefix, 'include', 'node');
    if (fs.existsSync(path.join(inc, 'node_api.h')) && fs.existsSync(path.join(inc, 'common.gypi'))) env.npm_config_nodedir = prefix;
  }
  // node-gyp runs make serially unless told otherwise (--jobs / JOBS); the addon is ~50 independent translation units,
  // so a source build (install hook, build:native, prebuildify) uses every core unless the caller chose a number.
  if (!env.JOBS && !env.npm_config_jobs) env.JOBS = 'max';
  return env;
}

// Runs a Node script (resolved module path) with that environment and exits with its status.
function runWithNodeGypEnv(script, args) {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', env: nodeGypEnv() });
  process.exit(r.status ?? 1);
}

module.exports = { nodeGypEnv, runWithNodeGypEnv };
