#!/usr/bin/env node
// The end-to-end benchmark suite (`npm run bench`, `simdnet bench`): figures, not timed tests.
//   1. kernels: SGEMM GFLOP/s per contender and shape, % of FMA peak;
//   2. training: Fashion-MNIST 784-128-64-10, Adam 1e-3, batch 128: s/epoch, samples/s, test accuracy;
//   3. inference over the 10,000 test images;  4. event-loop lag during fit;  5. peak RSS and model bytes.
// Every training contender runs in its own process (bench/suite/train-worker.mjs, bench/torch/train.py).
// Output: markdown on stdout (and in a .md file), JSON and an SVG chart of samples/s under bench/results/ (or --out).
// --quick: tiny sizes and a few batches (CI runs it through test/bench/suite.test.ts so the harness cannot rot).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { benchDir, distDir, repoRoot, fashionMnistAvailable, fmt, markdownTable, PYTHON, runChild, torchAvailable } from './suite/common.mjs';
import { runKernels } from './suite/kernels.mjs';

export const usage = `Usage: simdnet bench [options]   (or: npm run bench -- [options])

  --quick                 tiny sizes, a few batches (seconds; what CI runs)
  --only <list>           sections: kernels,training (default both; training covers inference, lag and memory)
  --contenders <list>     training contenders (default all): simdnet-native-1t, simdnet-native-2t, simdnet-js,
                          tfjs-cpu, tfjs-wasm, pytorch-1t, pytorch-2t
  --data <dir>            Fashion-MNIST IDX directory (default /usr/share/datasets/fashion-mnist)
  --epochs <n>            epochs for the training contenders (default 5; simdnet native runs max(n, 10))
  --budget <seconds>      per contender: above this estimated training time, time a bounded number of batches
                          and extrapolate (default 150)
  --out <dir>             where JSON and SVG go (default bench/results)
  --verbose               pass the contenders' stderr through
  -h, --help`;

const ALL = ['simdnet-native-1t', 'simdnet-native-2t', 'simdnet-js', 'tfjs-cpu', 'tfjs-wasm', 'pytorch-1t', 'pytorch-2t'];

/** Targets from the issue, checked against the figures. */
function evaluateTargets(rows) {
  const by = (prefix) => rows.filter((r) => !r.error && r.contender.startsWith(prefix));
  const best = (prefix) => by(prefix).reduce((b, r) => (b && b.samplesPerSecond >= r.samplesPerSecond ? b : r), null);
  const native = best('simdnet-native');
  const torch = best('pytorch');
  const tcpu = best('tfjs-cpu');
  const twasm = best('tfjs-wasm');
  const ratio = (a, b) => (a && b ? a.samplesPerSecond / b.samplesPerSecond : null);
  const acc10 = by('simdnet-native').map((r) => r.accuracy?.['10']).filter((v) => v !== undefined);
  const lag = by('simdnet-native').map((r) => r.lagWorstMs).filter((v) => v !== null && v !== undefined);
  const t = [
    { target: '≥ 1.5x PyTorch (best thread count) samples/s', value: ratio(native, torch), ok: (v) => v >= 1.5, show: (v) => `${fmt(v)}x` },
    { target: '≥ 100x tfjs-cpu samples/s', value: ratio(native, tcpu), ok: (v) => v >= 100, show: (v) => `${fmt(v, 0)}x` },
    { target: '≥ 10x tfjs-wasm samples/s', value: ratio(native, twasm), ok: (v) => v >= 10, show: (v) => `${fmt(v, 1)}x` },
    { target: 'test accuracy ≥ 0.88 after 10 epochs', value: acc10.length ? Math.max(...acc10) : null, ok: (v) => v >= 0.88, show: (v) => fmt(v, 4) },
    { target: 'worst event-loop lag < 10 ms during fit', value: lag.length ? Math.max(...lag) : null, ok: (v) => v < 10, show: (v) => `${fmt(v, 1)} ms` },
  ];
  return t.map(({ target, value, ok, show }) => ({ target, measured: value === null ? 'n/a' : show(value), value, met: value === null ? null : ok(value) }));
}

export async function runSuite(argv = process.argv.slice(2), io = { out: (s) => console.log(s), err: (s) => console.error(s) }) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        contenders: { type: 'string' },
        data: { type: 'string' },
        epochs: { type: 'string' },
        budget: { type: 'string' },
        out: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.err(`${e.message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const quick = !!values.quick;
  const sections = (values.only ?? 'kernels,training').split(',').map((s) => s.trim());
  const contenders = (values.contenders ?? ALL.join(',')).split(',').map((s) => s.trim());
  const bad = [...sections.filter((s) => !['kernels', 'training'].includes(s)), ...contenders.filter((c) => !ALL.includes(c))];
  const epochs = values.epochs === undefined ? (quick ? 1 : 5) : Number(values.epochs);
  const budget = values.budget === undefined ? 150 : Number(values.budget);
  if (bad.length || !Number.isInteger(epochs) || epochs < 1 || !(budget > 0)) {
    io.err(`Bad arguments${bad.length ? `: unknown ${bad.join(', ')}` : ''}\n\n${usage}`);
    return 2;
  }
  const outDir = values.out ?? join(benchDir, 'results');
  const dataDir = values.data ?? process.env.SIMDNET_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
  const haveFashion = fashionMnistAvailable(dataDir);
  const log = (s) => io.err(s); // progress on stderr; the report on stdout
  const started = new Date();
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cpus: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
  const report = { date: started.toISOString(), quick, machine, notes: [] };
  // The 1-minute load average before the run: above ~0.5 on a 2-core machine, other processes share the cores and
  // every timing below is suspect (threaded contenders most).
  machine.loadAverageBefore = loadavg()[0];
  const md = [
    `# simdnet benchmark suite${quick ? ' (quick mode: tiny sizes, figures meaningless)' : ''}`,
    '',
    `${machine.cpu}, ${machine.cpus} CPUs, Node ${machine.node}, ${report.date}, load average before the run ${machine.loadAverageBefore.toFixed(2)}`,
  ];
  if (machine.loadAverageBefore > machine.cpus / 4)
    md.push('', `**The machine was busy (load average ${machine.loadAverageBefore.toFixed(2)} on ${machine.cpus} CPUs): timings are noisy, threaded contenders most.**`);
  report.notes.push('tfjs-node is not among the contenders: it cannot install offline (its install script downloads libtensorflow).');

  if (sections.includes('kernels')) {
    log('kernels: SGEMM');
    report.kernels = await runKernels({ quick, log });
    const k = report.kernels;
    const names = [...new Set(k.results.map((r) => r.contender))];
    const rows = k.shapes.map((shape) => [
      shape,
      ...names.map((n) => {
        const r = k.results.find((x) => x.contender === n && x.shape === shape);
        if (!r) return k.results.find((x) => x.contender === n)?.error ? 'n/a' : '-';
        if (r.skipped) return 'skipped';
        return r.pctPeak ? `${fmt(r.gflops)} (${fmt(r.pctPeak, 0)}%)` : fmt(r.gflops);
      }),
    ]);
    md.push('', '## 1. SGEMM, GFLOP/s (% of the FMA peak at the contender\'s thread count)', '');
    md.push(markdownTable(['shape (M,K,N)', ...names], rows));
    md.push('', `Every figure (OpenBLAS's too): 2mnk / the ${k.statistic ?? 'median of single-call times'} (per contender and shape).`);
    const peaks = Object.entries(k.fmaPeakGflops).map(([t, g]) => `${t} thread${t === '1' ? '' : 's'}: ${fmt(g, 1)} GFLOP/s`);
    if (peaks.length) md.push('', `FMA peak measured by fmaPeak(): ${peaks.join(', ')}.`);
    const ob = Object.entries(k.external ?? {}).filter(([n]) => n.startsWith('OpenBLAS'));
    if (ob.length) {
      const [, i] = ob[0];
      const reported = ob.map(([n, x]) => `${n.match(/\d+t/)[0]}: OpenBLAS reports ${x.openblasThreads ?? '?'} thread(s)`).join(', ');
      md.push('', `OpenBLAS measured in this run (bench/kernels/openblas-gemm.py, statistic ${i.stat}): numpy ${i.numpy} matmul(a, b, out=c) in ${PYTHON} on ${i.blas}${i.config ? ` [${i.config}]` : ''}, one process per OPENBLAS_NUM_THREADS=1, 2 (${reported}). Called from Python as the others are from Node, so call overhead counts on both sides.`);
    }
    if (k.results.some((r) => r.pctPeak > 100))
      md.push('', '**Some figures exceed the measured peak: the machine was busy while fmaPeak ran (or during the run), so these figures are unreliable. Rerun on an idle machine.**');
    for (const r of k.results.filter((x) => x.error)) md.push(`- ${r.contender}: not measured (${r.error})`);
    const skipped = k.results.filter((x) => x.skipped);
    if (skipped.length) md.push(`- skipped: ${skipped.map((r) => `${r.contender} ${r.shape} (${r.skipped})`).join('; ')}`);
  }

  if (sections.includes('training')) {
    const dataset = haveFashion ? 'fashion-mnist' : 'digits';
    if (!haveFashion) {
      if (!quick) {
        io.err(`Fashion-MNIST not found in ${dataDir}: install Debian's dataset-fashion-mnist or pass --data <dir>`);
        return 1;
      }
      report.notes.push(`Fashion-MNIST not found in ${dataDir}: quick mode trains on the embedded digits instead; PyTorch skipped.`);
    }
    const hasTorch = await torchAvailable();
    if (!hasTorch) report.notes.push(`PyTorch not available via ${PYTHON}: its rows are skipped.`);
    const rows = [];
    for (const name of contenders) {
      log(`training: ${name}`);
      let r;
      const nativeEpochs = quick ? epochs : Math.max(epochs, 10);
      if (name.startsWith('pytorch')) {
        if (!hasTorch || !haveFashion) continue;
        const threads = Number(name.match(/(\d+)t$/)[1]);
        const args = [join(benchDir, 'torch', 'train.py'), '--data', dataDir, '--threads', String(threads), '--epochs', String(epochs)];
        if (quick) args.push('--max-batches', '4', '--train-limit', '2048', '--test-limit', '1000');
        // OpenBLAS sizes its own pool from OPENBLAS_NUM_THREADS, not from torch.set_num_threads.
        r = await runChild(PYTHON, args, { env: { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) }, verbose: values.verbose });
      } else {
        const [, backend, threads] = name.match(/^(simdnet-native|simdnet-js|tfjs-cpu|tfjs-wasm)(?:-(\d+)t)?$/);
        const cfg = { contender: backend, threads: Number(threads ?? 1), epochs: backend === 'simdnet-native' ? nativeEpochs : epochs, dataset, dataDir, budgetSeconds: budget };
        if (quick) Object.assign(cfg, { maxBatches: 4, trainLimit: 2048, testLimit: 1000, probeBatches: 2 });
        r = await runChild(process.execPath, [join(benchDir, 'suite', 'train-worker.mjs'), JSON.stringify(cfg)], { verbose: values.verbose });
      }
      if (r.error) log(`  ${name}: failed: ${r.error}`);
      else log(`  ${name}: ${fmt(r.samplesPerSecond, 0)} samples/s`);
      rows.push({ contender: name, ...r, ...(r.error ? { contender: name } : {}) });
    }
    report.training = rows;
    const ok = rows.filter((r) => !r.error);
    const torchBlas = ok.find((r) => r.blas);
    md.push('', `## 2. Training: ${dataset === 'digits' ? 'digits (Fashion-MNIST absent)' : 'Fashion-MNIST'}, 784-128(ReLU)-64(ReLU)-10(softmax), categorical CE, Adam 1e-3, batch 128, shuffled`, '');
    md.push(
      markdownTable(
        ['contender', 'framework', 's/epoch', 'samples/s', 'test acc @5', 'test acc @10', 'timed over'],
        rows.map((r) =>
          r.error
            ? [r.contender, `failed: ${r.error.split('\n')[0].slice(0, 120)}`, '', '', '', '', '']
            : [
                r.contender,
                r.framework + (r.blas ? ` + ${r.blas}` : ''),
                fmt(r.secondsPerEpoch, 2),
                fmt(r.samplesPerSecond, 0),
                fmt(r.accuracy?.['5'] ?? null, 4),
                fmt(r.accuracy?.['10'] ?? null, 4),
                r.extrapolatedFromBatches ? `${r.extrapolatedFromBatches} batches, extrapolated` : `${r.epochSeconds.length} epochs (median after the 1st)`,
              ],
        ),
      ),
    );
    if (torchBlas) md.push('', `PyTorch BLAS: ${torchBlas.blas} (${(torchBlas.blasLibraries ?? []).join(', ')}); OPENBLAS_NUM_THREADS and torch.set_num_threads set to the thread count.`);
    md.push('', `## 3. Inference over the ${ok[0]?.testSamples ?? 'n/a'} test images (batches of 1000)`, '');
    md.push(markdownTable(['contender', 'ms', 'images/s'], ok.map((r) => [r.contender, fmt(r.inferenceSeconds * 1000, 1), fmt(r.testSamples / r.inferenceSeconds, 0)])));
    md.push('', '## 4. Event-loop lag during one epoch of fit (10 ms setInterval)', '');
    md.push(
      markdownTable(
        ['contender', 'worst ms', 'median ms', 'ticks', 'fit() blocks before returning (ms)'],
        ok.filter((r) => r.lagWorstMs !== undefined).map((r) => [r.contender, fmt(r.lagWorstMs, 1), fmt(r.lagMedianMs, 1), r.lagTicks, fmt(r.fitSyncMs, 1)]),
      ),
    );
    md.push('', 'The last column is the synchronous part of the fit call (argument checks, copies) before the epoch runs; it bounds the worst lag from below.');
    md.push('', '## 5. Memory', '');
    md.push(
      markdownTable(
        ['contender', 'peak RSS (MiB)', 'model bytes'],
        ok.map((r) => [r.contender, fmt(r.peakRssBytes / 2 ** 20, 0), r.modelBytes === undefined || r.modelBytes === null ? 'n/a' : r.modelBytes.toLocaleString('en-US')]),
      ),
    );
    md.push('', 'model bytes: simdnet = native (or JS typed-array) bytes the compiled model holds (weights, gradients, optimizer state, activations); tfjs = tf.memory().numBytes after training.');
    report.targets = evaluateTargets(rows);
    md.push('', '## Targets', '');
    md.push(markdownTable(['target', 'measured', 'met'], report.targets.map((t) => [t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO'])));

    mkdirSync(outDir, { recursive: true });
    const stamp = started.toISOString().replace(/[:.]/g, '-');
    try {
      const { barChartSvg } = await import(join(distDir, 'cli', 'chart.js'));
      const svg = await barChartSvg(
        ok.map((r) => ({ label: r.contender, value: r.samplesPerSecond, group: r.contender.split('-')[0] })),
        { title: `Training samples/s, ${dataset}${quick ? ' (quick mode)' : ''}`, xTitle: 'samples per second (log scale)', logScale: true },
      );
      const svgPath = join(outDir, `suite-${quick ? 'quick-' : ''}${stamp}.svg`);
      writeFileSync(svgPath, svg);
      report.chart = svgPath;
    } catch (e) {
      report.notes.push(`chart not written: ${e.message}`);
    }
  }
  if (report.notes.length) md.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`));
  mkdirSync(outDir, { recursive: true });
  const jsonPath = join(outDir, `suite-${quick ? 'quick-' : ''}${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(jsonPath, JSON.stringify(report, null, 2));
  const mdPath = jsonPath.replace(/\.json$/, '.md');
  const show = (p) => (relative(repoRoot, p).startsWith('..') ? p : relative(repoRoot, p));
  md.push('', `JSON: ${show(jsonPath)}${report.chart ? `; chart: ${show(report.chart)}` : ''}; this report: ${show(mdPath)}`);
  writeFileSync(mdPath, md.join('\n') + '\n');
  io.out(md.join('\n'));
  return 0;
}

// Run when executed directly (node bench/suite.mjs), not when imported by `simdnet bench` or the tests.
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runSuite();
}
