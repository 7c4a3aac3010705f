#!/usr/bin/env node
// The one list of native sources, read by both CMakeLists.txt and binding.gyp (better-sqlite3's `<!(node ...)` trick).
// Every .cc under native/src belongs to the addon; everything but native/src/addon also forms the plain C++ library
// that the ctest suites and native benches link. Usage: node tools/sources.cjs [addon|core] [--sep=;] [--abs]
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const src = path.join(root, 'native', 'src');
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.cc') ? [p] : [];
  });
}
const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith('--')) ?? 'addon';
const sep = (args.find((a) => a.startsWith('--sep=')) ?? '--sep= ').slice(6);
const abs = args.includes('--abs');
let files = walk(src);
if (which === 'core') files = files.filter((f) => !f.startsWith(path.join(src, 'addon') + path.sep));
else if (which !== 'addon') { console.error(`unknown list ${which}`); process.exit(2); }
process.stdout.write(files.map((f) => (abs ? f : path.relative(root, f)).split(path.sep).join('/')).join(sep));
