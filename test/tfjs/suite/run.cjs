// Runs the bundled tfjs-core suite (build-tfjs/suite.cjs, made by tools/tfjs-suite.sh) under jasmine 4.2 and prints
// one line CI can read: "tfjs-suite: N passed, N failed, N skipped in S s". Exits 1 on any failure, on a failure
// outside a spec (a suite's beforeAll, a load error), or when fewer specs ran than expected (a bundle that lost its
// test files, as happens without --ignore-annotations, would otherwise pass with a few dozen specs).
'use strict';
const path = require('node:path');
const Jasmine = require('jasmine');

const bundle = path.resolve(process.argv[2] ?? 'build-tfjs/suite.cjs');
const minSpecs = Number(process.env.TFJS_SUITE_MIN_SPECS ?? 4000);
const runner = new Jasmine({ projectBaseDir: path.dirname(bundle) });
runner.loadConfig({ spec_dir: '.', spec_files: [path.basename(bundle)], random: false, stopSpecOnExpectationFailure: false });
runner.exitOnCompletion = false;
const counts = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const skipped = [];
const t0 = process.hrtime.bigint();
runner.env.clearReporters();
runner.env.addReporter({
  specDone(r) {
    if (r.status === 'passed') counts.passed++;
    else if (r.status === 'failed') {
      counts.failed++;
      failures.push(`${r.fullName}\n    ${r.failedExpectations.map((e) => e.message).join('\n    ')}`);
    } else {
      counts.skipped++;
      skipped.push(`${r.status}: ${r.fullName}`);
    }
  },
  suiteDone(r) {
    if (r.failedExpectations.length > 0) failures.push(`suite ${r.fullName}: ${r.failedExpectations.map((e) => e.message).join('; ')}`);
  },
  jasmineDone(r) {
    for (const e of r.failedExpectations ?? []) failures.push(`global: ${e.message}`);
  },
});
runner.execute().then(() => {
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const k of skipped.slice(0, 20)) console.log(`SKIPPED ${k}`);
  for (const f of failures.slice(0, 50)) console.log(`FAILED ${f}`);
  if (failures.length > 50) console.log(`... and ${failures.length - 50} more`);
  console.log(`tfjs-suite: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${s.toFixed(1)} s`);
  const ran = counts.passed + counts.failed;
  if (ran < minSpecs) console.log(`tfjs-suite: only ${ran} specs ran, expected at least ${minSpecs}`);
  process.exit(failures.length === 0 && ran >= minSpecs ? 0 : 1);
}, (err) => {
  console.error(err);
  process.exit(1);
});
