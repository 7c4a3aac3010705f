#!/usr/bin/env node
// Sums test results from every CI stage into the one line CI looks for: "N passed, N failed".
// vitest's own summary and ctest's "100% tests passed" are not in that form, so each source is read here:
//   ctest:<label>:<ctest -V log>     each test binary's "N passed, N failed" line (test/native/check.h); a binary that
//                                    failed (crash, sanitizer or leak report after its summary, timeout) with no failure
//                                    of its own in that line counts one more failure; one without a line counts 1.
//   vitest:<label>:<json report>     vitest --reporter=json: passed/failed tests, plus 1 per test file that failed
//                                    without a failing test (import error, crash).
//   lines:<label>:<log>              every "N passed, N failed" line in a log (scripts such as test/package/run.sh).
//   stage:<label>:<exit status>      a stage that reports no tests itself: a non-zero status counts 1 failure.
// A source whose file is missing or holds no results counts 1 failure (its stage did not get as far as testing).
// Each source may be followed by ":<exit status>" of its stage; a non-zero status with no failure found in the
// results also counts 1 failure, so a crash after the report cannot pass silently.
// Usage: node tools/test-summary.mjs <source>...   Prints one row per source, then the total line; exit 1 on failures.
import { existsSync, readFileSync } from 'node:fs';

const SUMMARY = /^(\d+) passed, (\d+) failed\s*$/;

function readCtest(file) {
  const text = readFileSync(file, 'utf8');
  const tests = new Map(); // ctest number -> { name, status, passed, failed, summaries }
  const get = (n) => {
    if (!tests.has(n)) tests.set(n, { name: `#${n}`, status: null, passed: 0, failed: 0, summaries: 0 });
    return tests.get(n);
  };
  for (const line of text.split('\n')) {
    const out = /^(\d+): (.*)$/.exec(line);
    if (out) {
      const s = SUMMARY.exec(out[2]);
      if (s) {
        const t = get(out[1]);
        t.passed += Number(s[1]);
        t.failed += Number(s[2]);
        t.summaries++;
      }
      continue;
    }
    // "1/3 Test #2: gemm-test ........***Failed    0.20 sec" or "...   Passed    0.01 sec"
    const st = /^\s*\d+\/\d+ Test\s+#(\d+): (\S+) \.*\s*(?:\*+)?(Passed|Failed|Exception|Timeout|Not Run|\S+)/.exec(line);
    if (st) {
      const t = get(st[1]);
      t.name = st[2];
      t.status = st[3];
    }
  }
  let passed = 0, failed = 0;
  const notes = [];
  for (const t of tests.values()) {
    if (t.status === null) continue; // an output line with no verdict: not a test record
    if (t.summaries === 0) {
      if (t.status === 'Passed') passed++;
      else { failed++; notes.push(`${t.name}: ${t.status} with no summary line`); }
      continue;
    }
    passed += t.passed;
    failed += t.failed;
    if (t.status !== 'Passed' && t.failed === 0) { failed++; notes.push(`${t.name}: ${t.status} after reporting no failure`); }
  }
  const verdicts = [...tests.values()].filter((t) => t.status !== null).length;
  if (verdicts === 0) return { passed, failed: failed + 1, notes: ['no test ran'] };
  return { passed, failed, notes };
}

function readVitest(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  let passed = r.numPassedTests ?? 0, failed = r.numFailedTests ?? 0;
  const notes = [];
  for (const f of r.testResults ?? []) {
    const failedHere = (f.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    if (f.status === 'failed' && failedHere === 0) {
      failed++;
      notes.push(`${f.name}: ${String(f.message ?? 'failed').split('\n')[0]}`);
    }
  }
  if (passed + failed === 0) return { passed, failed: 1, notes: ['no test ran'] };
  return { passed, failed, notes };
}

function readLines(file) {
  let passed = 0, failed = 0, found = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const s = SUMMARY.exec(line); // column 0 only: indented lines are sub-reports already counted in a total
    if (s) { passed += Number(s[1]); failed += Number(s[2]); found++; }
  }
  if (found === 0) return { passed, failed: 1, notes: ['no "N passed, N failed" line'] };
  return { passed, failed, notes: [] };
}

const readers = { ctest: readCtest, vitest: readVitest, lines: readLines };
let total = { passed: 0, failed: 0 };
const rows = [];
for (const arg of process.argv.slice(2)) {
  const [kind, label, ...rest] = arg.split(':');
  let res;
  if (kind === 'stage') {
    const rc = Number(rest[0]);
    res = rc === 0 ? { passed: 0, failed: 0, notes: [] } : { passed: 0, failed: 1, notes: [`exit status ${rest[0]}`] };
  } else if (readers[kind]) {
    // an optional trailing ":<rc>" is the stage's exit status (paths here never contain ':')
    let rc = 0, file = rest.join(':');
    if (rest.length > 1 && /^\d+$/.test(rest[rest.length - 1])) { rc = Number(rest.pop()); file = rest.join(':'); }
    try {
      res = existsSync(file) ? readers[kind](file) : { passed: 0, failed: 1, notes: [`${file} missing`] };
    } catch (err) {
      res = { passed: 0, failed: 1, notes: [`${file}: ${err.message}`] };
    }
    if (rc !== 0 && res.failed === 0) { res.failed = 1; res.notes.push(`exit status ${rc} with no failing test`); }
  } else {
    console.error(`test-summary: unknown source '${arg}' (ctest|vitest|lines|stage):<label>:<path or status>`);
    process.exit(2);
  }
  rows.push({ label, ...res });
  total.passed += res.passed;
  total.failed += res.failed;
}

const width = Math.max(5, ...rows.map((r) => r.label.length));
for (const r of rows) {
  console.log(`  ${r.label.padEnd(width)}  ${String(r.passed).padStart(5)} passed  ${String(r.failed).padStart(3)} failed`);
  for (const n of r.notes) console.log(`  ${' '.repeat(width)}    ! ${n}`);
}
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed ? 1 : 0);
