// Section 6 of the suite: inference, paired. simdnet's blocking predict and PyTorch's model(x) over the same 10,000 test
// images, timed in alternating blocks between two processes that stay up, instead of minutes apart.
//
// Each contender runs at two batch sizes, 1000 rows (section 3's) and the whole test set in one call (what
// `model(x_test)` is in PyTorch; PyTorch's time there is about 6% lower than in batches of 1000 on the Intel host), and a
// round compares each one's faster block: each at its best batch size, as at its best thread count.
//
// Why: section 3 times each contender in its own process, one after the other. On a shared 2-vCPU host the speed of
// both moves by 5-8% within minutes (on the Intel Xeon host, simdnet's median read 6.3-6.7 ms and PyTorch's 8.8-9.4 ms
// in four runs within ten minutes), so a ratio of two medians taken minutes apart carries that drift, in either
// direction. Here both models are trained first (the same one fit call of `epochs` epochs as section 2; simdnet's
// zero skipping depends on the trained weights), then each round times blocks of `calls` calls of one and of the
// other (one per batch size), back to back, the order swapped every round. A round's ratio compares blocks seconds apart;
// the suite reports the median ratio over the rounds and its spread. Before each block the other process has been
// idle for PAUSE_MS (blocked on its stdin), so neither one's threads still spin (OpenMP's wait policy, the pool's).
//
// Protocol of the two servers: bench/suite/train-worker.mjs `serve` and bench/python/benchcommon.py serve().
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { classifyBlas, blasVerdict, NUMPY_BUNDLED } from './blas.mjs';
import { benchDir, median, PYTHON, spread } from './common.mjs';
import { threadEnv, TORCH_SCRIPT } from './training.mjs';

export const PAIRED_ROUNDS = 12;
export const PAIRED_CALLS = 20;
const PAUSE_MS = 300;
const READY = 'SIMDNET_BENCH_READY ';
const BLOCK = 'SIMDNET_BENCH_BLOCK ';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A child that speaks the serve protocol: `ready` resolves with its facts; block(k) with k call times (seconds). */
function server(cmd, args, { env = {}, verbose = false, timeoutMs = 20 * 60_000 } = {}) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let waiting = null; // { prefix, resolve, reject }
  let failure = null;
  const fail = (why) => {
    failure ??= why;
    if (waiting) waiting.reject(new Error(failure));
    waiting = null;
  };
  const timer = setTimeout(() => {
    fail(`${cmd}: no answer in ${timeoutMs / 1000} s`);
    child.kill('SIGKILL');
  }, timeoutMs);
  child.stderr.on('data', (d) => {
    stderr += d;
    if (verbose) process.stderr.write(d);
  });
  child.on('error', (e) => fail(`${cmd}: ${e.message}`));
  child.on('close', (code, signal) => {
    clearTimeout(timer);
    fail(`${cmd} exited with ${signal ?? code}: ${stderr.trim().split('\n').slice(-4).join(' ').slice(0, 600)}`);
  });
  child.stdin.on('error', () => {}); // a child that died: its 'close' says why
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!waiting || !line.startsWith(waiting.prefix)) return;
    const w = waiting;
    waiting = null;
    try {
      w.resolve(JSON.parse(line.slice(w.prefix.length)));
    } catch (e) {
      w.reject(new Error(`bad line from ${cmd}: ${e.message}`));
    }
  });
  const expect = (prefix) =>
    new Promise((resolve, reject) => {
      if (failure) reject(new Error(failure));
      else waiting = { prefix, resolve, reject };
    });
  const ready = expect(READY);
  return {
    ready,
    async block(calls, batch) {
      const answer = expect(BLOCK);
      child.stdin.write(`infer ${calls} ${batch}\n`);
      return (await answer).seconds;
    },
    close() {
      clearTimeout(timer);
      child.stdin.end('quit\n');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    },
  };
}

/** { [batch]: seconds[] } -> the batch size whose block has the lowest median, and that median. */
function fastest(blocks) {
  return Object.entries(blocks)
    .map(([batch, seconds]) => ({ batch: Number(batch), seconds: median(seconds) }))
    .reduce((b, x) => (b && b.seconds <= x.seconds ? b : x), null);
}

/**
 * rounds: [{ first: 'simdnet' | 'pytorch', simdnet: { [batch]: seconds[] }, pytorch: { [batch]: seconds[] } }] ->
 * per round each contender's fastest block (its median and batch size) and the ratio (simdnet / PyTorch); the median
 * ratio over the rounds with its spread (min-max), and the median over the rounds of each one's fastest block.
 */
export function pairedSummary(rounds) {
  const rows = rounds.map((r) => {
    const s = fastest(r.simdnet);
    const t = fastest(r.pytorch);
    return { first: r.first, simdnetSeconds: s.seconds, simdnetBatch: s.batch, pytorchSeconds: t.seconds, pytorchBatch: t.batch, ratio: s.seconds / t.seconds };
  });
  return {
    rounds: rows,
    ratio: spread(rows.map((r) => r.ratio)),
    simdnetSeconds: median(rows.map((r) => r.simdnetSeconds)),
    pytorchSeconds: median(rows.map((r) => r.pytorchSeconds)),
  };
}

/**
 * Trains simdnet native and PyTorch (pip) at `threads` each, then times `rounds` pairs of blocks. Returns
 * pairedSummary's figures with what ran, or { notMeasured } / { error }.
 */
export async function runPairedInference({ probes, dataDir, epochs, threads = 2, rounds = PAIRED_ROUNDS, calls = PAIRED_CALLS, quick = false, verbose = false, log = () => {} }) {
  const p = probes.pytorch;
  if (!p || p.notMeasured || p.error) return { notMeasured: p?.notMeasured ?? `PyTorch: ${p?.error ?? 'not probed'}` };
  const servers = [];
  try {
    log(`inference, paired: training simdnet-native-${threads}t`);
    const cfg = { contender: 'simdnet-native', threads, epochs, dataset: 'fashion-mnist', dataDir, budgetSeconds: 1e9, serve: true };
    // Quick mode (the suite's own test): the same protocol on the limits section 2 uses there.
    const limits = quick ? ['--train-limit', '2048', '--test-limit', '1000'] : [];
    if (quick) Object.assign(cfg, { maxBatches: 4, trainLimit: 2048, testLimit: 1000, probeBatches: 2 });
    const simdnet = server(process.execPath, [join(benchDir, 'suite', 'train-worker.mjs'), JSON.stringify(cfg)], { verbose });
    servers.push(simdnet);
    const simdnetFacts = await simdnet.ready;
    log(`inference, paired: training pytorch-${threads}t`);
    const torchArgs = [TORCH_SCRIPT, '--data', dataDir, '--threads', String(threads), '--epochs', String(epochs), '--serve', ...limits];
    const pytorch = server(PYTHON, torchArgs, { env: threadEnv(threads), verbose });
    servers.push(pytorch);
    const torchFacts = await pytorch.ready;
    const testRows = simdnetFacts.testSamples;
    // The BLAS guard again, on this process's own report (as section 2 does).
    const blas = classifyBlas({ blasInfo: torchFacts.blasInfo, libraries: torchFacts.blasLibraries, ignore: NUMPY_BUNDLED });
    const v = blasVerdict(blas);
    if (!v.ok) return { notMeasured: `not measured: ${v.why}` };
    const done = [];
    const sizes = [...new Set([1000, testRows])];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? ['simdnet', 'pytorch'] : ['pytorch', 'simdnet'];
      const batches = i % 4 < 2 ? sizes : [...sizes].reverse();
      const round = { first: order[0], simdnet: {}, pytorch: {} };
      for (const who of order)
        for (const batch of batches) {
          await sleep(PAUSE_MS);
          round[who][batch] = await (who === 'simdnet' ? simdnet : pytorch).block(calls, batch);
        }
      const [s, t] = [fastest(round.simdnet), fastest(round.pytorch)];
      log(`  round ${i + 1}: simdnet ${(s.seconds * 1e3).toFixed(2)} ms (batch ${s.batch}), PyTorch ${(t.seconds * 1e3).toFixed(2)} ms (batch ${t.batch})`);
      done.push(round);
    }
    return {
      threads,
      calls,
      batchSizes: sizes,
      simdnet: { contender: `simdnet-native-${threads}t`, framework: simdnetFacts.framework, isa: simdnetFacts.isa, accuracy: simdnetFacts.accuracy, call: 'predict (blocking)' },
      pytorch: { contender: `pytorch-${threads}t`, framework: torchFacts.framework, blas, cpuCapability: torchFacts.cpuCapability, accuracy: torchFacts.accuracy, call: 'model(x) (blocking)' },
      rawRounds: done,
      ...pairedSummary(done),
    };
  } catch (e) {
    return { error: e.message };
  } finally {
    for (const s of servers) s.close();
  }
}
