#!/usr/bin/env node
// The end-to-end benchmark suite (`npm run bench`, `simdnet bench`): figures, not timed tests.
//   1. kernels: SGEMM GFLOP/s per contender and shape, % of the FMA peak of the widest ISA simdnet runs;
//   2. training: Fashion-MNIST 784-128-64-10, Adam 1e-3, batch 128, ONE 10-epoch fit call per contender: every
//      epoch's time, the median after the first (s/epoch, samples/s), the drift (median of epochs 8-10 / median of
//      epochs 2-4), test accuracy after the run; each contender at 1 and 2 threads where it has threads;
//   3. inference over the 10,000 test images;  4. event-loop lag during fit;  5. peak RSS and model bytes;
//   6. inference, paired: simdnet's blocking predict and PyTorch's model(x) timed in alternating blocks between two
//      processes that stay up (bench/suite/paired.mjs), so that the host's drift over minutes leaves their ratio alone;
//   then the targets of issue 10, evaluated from this run's figures only (bench/suite/targets.mjs).
// Contenders are what a user would run: PyTorch 2.x (pip, MKL + oneDNN), Debian's PyTorch 1.13 + OpenBLAS, Keras 3 on
// TensorFlow, numpy's bundled OpenBLAS and PyTorch's MKL for GEMM, tfjs wasm/cpu. A PyTorch or numpy on the reference
// BLAS is "not measured: reference BLAS", never a ratio (bench/suite/blas.mjs).
// Every training contender runs in its own process (bench/suite/train-worker.mjs, bench/torch/train.py,
// bench/keras/train.py). --repeat N repeats the whole training section and reports median and spread per contender.
// Output: markdown on stdout (and in a .md file), JSON and an SVG chart of samples/s under bench/results/ (or --out).
// --quick: tiny sizes and a few batches (CI runs it through test/bench/suite.test.ts so the harness cannot rot).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import { benchDir, DEBIAN_PYTHON, distDir, repoRoot, fashionMnistAvailable, fmt, markdownTable, PYTHON } from './suite/common.mjs';
import { hostInfo } from './suite/host.mjs';
import { mergeKernelRounds, ROUND_CONTENDERS, runKernels } from './suite/kernels.mjs';
import { evaluateTargets } from './suite/targets.mjs';
import { PAIRED_CALLS, PAIRED_ROUNDS, runPairedInference } from './suite/paired.mjs';
import { ALL_CONTENDERS, probeContenders, runTrainingOnce, summarize } from './suite/training.mjs';

export const usage = `Usage: simdnet bench [options]   (or: npm run bench -- [options])

  --quick                 tiny sizes, a few batches (seconds; what CI runs)
  --only <list>           sections: kernels,training,inference (default all three; training covers inference,
                          lag and memory; inference is the paired simdnet / PyTorch inference of section 6)
  --contenders <list>     training contenders (default all): ${ALL_CONTENDERS.join(', ')}
  --data <dir>            Fashion-MNIST IDX directory (default /usr/share/datasets/fashion-mnist)
  --epochs <n>            epochs of the one fit call each training contender makes (default 10)
  --repeat <n>            run the training section n times; report median and spread (min-max) per contender
  --kernel-rounds <n>     time the native GEMMs (simdnet, OpenBLAS, MKL) n times, one round after the other;
                          report each one's median over the rounds and the spread (default: --repeat)
  --budget <seconds>      per contender: above this estimated training time, time a bounded number of batches
                          and extrapolate (default 200: tfjs-cpu and the JS engine; tfjs-wasm too on a busy
                          machine). The Python contenders always train full epochs
  --baseline <json>       an earlier suite report from this CPU, for the AVX2-host no-regression target
  --out <dir>             where JSON and SVG go (default bench/results)
  --verbose               pass the contenders' stderr through
  -h, --help

Python: SIMDNET_BENCH_PYTHON (default: .venv/bin/python made by bench/setup-venv.sh, else python3) runs PyTorch 2.x,
Keras/TensorFlow and numpy; SIMDNET_BENCH_DEBIAN_PYTHON (default /usr/bin/python3) runs Debian's python3-torch.`;

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
        repeat: { type: 'string' },
        'kernel-rounds': { type: 'string' },
        budget: { type: 'string' },
        baseline: { type: 'string' },
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
  const sections = (values.only ?? 'kernels,training,inference').split(',').map((s) => s.trim());
  const contenders = (values.contenders ?? ALL_CONTENDERS.join(',')).split(',').map((s) => s.trim());
  const bad = [...sections.filter((s) => !['kernels', 'training', 'inference'].includes(s)), ...contenders.filter((c) => !ALL_CONTENDERS.includes(c))];
  const epochs = values.epochs === undefined ? (quick ? 2 : 10) : Number(values.epochs);
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  const budget = values.budget === undefined ? 200 : Number(values.budget);
  const kernelRounds = values['kernel-rounds'] === undefined ? repeat : Number(values['kernel-rounds']);
  if (bad.length || !Number.isInteger(epochs) || epochs < 1 || !Number.isInteger(repeat) || repeat < 1 || !(budget > 0) || !Number.isInteger(kernelRounds) || kernelRounds < 1) {
    io.err(`Bad arguments${bad.length ? `: unknown ${bad.join(', ')}` : ''}\n\n${usage}`);
    return 2;
  }
  let baseline = null;
  if (values.baseline) {
    try {
      baseline = JSON.parse(readFileSync(values.baseline, 'utf8'));
    } catch (e) {
      io.err(`--baseline ${values.baseline}: ${e.message}`);
      return 2;
    }
  }
  const outDir = values.out ?? join(benchDir, 'results');
  const dataDir = values.data ?? process.env.SIMDNET_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
  const haveFashion = fashionMnistAvailable(dataDir);
  const log = (s) => io.err(s); // progress on stderr; the report on stdout
  const started = new Date();
  const host = hostInfo();
  const machine = { ...host, cpus: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
  const report = { date: started.toISOString(), quick, repeat, kernelRounds, epochs, machine, python: PYTHON, debianPython: DEBIAN_PYTHON, notes: [], sources: [] };
  // The 1-minute load average before the run: above ~0.5 on a 2-core machine, other processes share the cores and
  // every timing below is suspect (threaded contenders most).
  machine.loadAverageBefore = loadavg()[0];
  let simdnetIsa = null;
  try {
    const { runtimeInfo } = await import(join(distDir, 'backend.js'));
    const rt = runtimeInfo();
    simdnetIsa = rt.backend === 'native' ? rt.isa : null;
    machine.simdnet = { isa: rt.isa, availableIsas: rt.availableIsas };
  } catch (e) {
    machine.simdnet = { error: e.message };
  }
  const md = [
    `# simdnet benchmark suite${quick ? ' (quick mode: tiny sizes, figures meaningless)' : ''}`,
    '',
    `CPU (lscpu "Model name"): **${host.cpu}**${host.cpuinfoModelName && host.cpuinfoModelName !== host.cpu ? ` (/proc/cpuinfo: ${host.cpuinfoModelName})` : ''}, family/model/stepping ${host.familyModelStepping}, ${machine.cpus} CPUs; ${host.avx512 ? 'an AVX-512 host (AVX-512F/BW/DQ/VL)' : 'no AVX-512F/BW/DQ/VL: an AVX2-only host for the targets'}; SIMD flags: ${host.simdFlags.join(' ') || 'none'}.`,
    '',
    `simdnet ISA in use: ${simdnetIsa ?? 'no native addon'}${machine.simdnet.availableIsas ? ` (available: ${machine.simdnet.availableIsas.join(', ')})` : ''}. Node ${machine.node}, ${report.date}, load average before the run ${machine.loadAverageBefore.toFixed(2)}. Python contenders: ${PYTHON} (pip), ${DEBIAN_PYTHON} (Debian).`,
  ];
  if (machine.loadAverageBefore > machine.cpus / 4)
    md.push('', `**The machine was busy (load average ${machine.loadAverageBefore.toFixed(2)} on ${machine.cpus} CPUs): timings are noisy, threaded contenders most.**`);
  report.notes.push('tfjs-node is not among the contenders: it cannot install offline (its install script downloads libtensorflow).');

  if (sections.includes('kernels')) {
    log('kernels: SGEMM');
    report.kernels = await runKernels({ quick, log });
    if (kernelRounds > 1) {
      const later = [];
      for (let i = 1; i < kernelRounds; i++) {
        log(`kernels: round ${i + 1} of ${kernelRounds} (native GEMMs)`);
        later.push(await runKernels({ quick, log, only: ROUND_CONTENDERS }));
      }
      mergeKernelRounds(report.kernels, later);
    }
    const k = report.kernels;
    const names = [...new Set(k.results.map((r) => r.contender))];
    const rows = k.shapes.map((shape) => [
      shape,
      ...names.map((n) => {
        const r = k.results.find((x) => x.contender === n && x.shape === shape);
        if (!r) return k.results.find((x) => x.contender === n)?.error ? 'not measured' : '-';
        if (r.skipped) return 'skipped';
        const spread = r.spread ? ` [${fmt(r.spread[0], 1)}–${fmt(r.spread[1], 1)}]` : '';
        return r.pctPeak ? `${fmt(r.gflops)} (${fmt(r.pctPeak, 0)}%)${spread}` : `${fmt(r.gflops)}${spread}`;
      }),
    ]);
    md.push('', `## 1. SGEMM, GFLOP/s (% of the ${k.peakIsa ?? ''} FMA peak at the contender's thread count)`, '');
    md.push(markdownTable(['shape (M,K,N)', ...names], rows));
    md.push('', `Every figure: 2mnk / the ${k.statistic ?? 'median of single-call times'} (per contender and shape).`);
    const peaks = (p) => Object.entries(p ?? {}).map(([t, g]) => `${t} thread${t === '1' ? '' : 's'}: ${fmt(g, 1)} GFLOP/s`).join(', ');
    if (k.peakIsa) md.push('', `FMA peak of the widest ISA, ${k.peakIsa}, measured in this run by bench/native/fma-peak.cc (independent ${k.peakIsa} FMA chains, best ~1 ms window per thread): ${peaks(k.fmaPeakGflops)}. Percentages are against it.`);
    else md.push('', `No FMA peak of the widest ISA: ${k.peakError}. No percentages.`);
    if (Object.keys(k.simdnetFmaPeakGflops ?? {}).length) md.push('', `simdnet's own fmaPeak() (FMA chains of the GEMM table its ISA in use, ${k.simdnetIsa}, selects): ${peaks(k.simdnetFmaPeakGflops)}.`);
    const isaLines = Object.entries(k.isas ?? {}).map(([n, i]) => `${n}: ${i}`);
    if (isaLines.length) md.push('', `ISA / kernel per contender: ${isaLines.join('; ')}.`);
    const ob = Object.entries(k.external ?? {}).filter(([n]) => n.startsWith('OpenBLAS'));
    if (ob.length) {
      const [, i] = ob[0];
      const reported = ob.map(([n, x]) => `${n.match(/\d+t/)[0]}: OpenBLAS reports ${x.openblasThreads ?? '?'} thread(s)`).join(', ');
      const tp = i.threadpool ? `; threadpoolctl: OpenBLAS ${i.threadpool.version}, kernel ${i.threadpool.kernel}` : '; threadpoolctl not installed';
      md.push('', `OpenBLAS measured in this run (bench/kernels/openblas-gemm.py, statistic ${i.stat}): numpy ${i.numpy} matmul(a, b, out=c) in ${PYTHON} on ${i.blas}${i.config ? ` [${i.config}]` : ''}${tp}; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for it; one process per OPENBLAS_NUM_THREADS=1, 2 (${reported}).`);
    }
    const mkl = Object.entries(k.external ?? {}).filter(([n]) => n.includes('(PyTorch)'));
    if (mkl.length) {
      const [, i] = mkl[0];
      md.push('', `PyTorch's GEMM measured in this run (bench/kernels/torch-gemm.py, same statistic): torch ${i.torch} matmul(a, b, out=c) in ${PYTHON}, BLAS_INFO=${i.blasInfo} (${i.blas}), CPU capability ${i.cpuCapability}, one process per torch.set_num_threads(1), (2). Python contenders are called from Python as the others are from Node, so call overhead counts on both sides.`);
    }
    if (k.results.some((r) => r.pctPeak > 100))
      md.push('', '**Some figures exceed the measured peak: the machine was busy while fmaPeak ran (or during the run), so these figures are unreliable. Rerun on an idle machine.**');
    for (const r of k.results.filter((x) => x.error)) md.push(`- ${r.contender}: ${/^not (measured|installed)/.test(r.error) ? r.error : `not measured (${r.error})`}`);
    const skipped = k.results.filter((x) => x.skipped);
    if (skipped.length) md.push(`- skipped: ${skipped.map((r) => `${r.contender} ${r.shape} (${r.skipped})`).join('; ')}`);
    report.sources.push('Section 1: bench/suite/kernels.mjs in this process (simdnet native through dist/kernels/native/gemm.js, TS twin, tfjs); OpenBLAS: bench/kernels/openblas.mjs -> openblas-gemm.py; MKL: bench/kernels/torch-gemm.py; peak: bench/native/fma-peak.cc (build-bench/fma-peak) for 300 ms per thread count; simdnet\'s fmaPeak(300 ms, threads) beside it.');
  }

  if (sections.includes('training')) {
    const dataset = haveFashion ? 'fashion-mnist' : 'digits';
    if (!haveFashion) {
      if (!quick) {
        io.err(`Fashion-MNIST not found in ${dataDir}: install Debian's dataset-fashion-mnist or pass --data <dir>`);
        return 1;
      }
      report.notes.push(`Fashion-MNIST not found in ${dataDir}: quick mode trains the Node contenders on the embedded digits instead; the Python contenders are skipped.`);
    }
    const probes = await probeContenders(contenders, log);
    report.probes = probes;
    const passes = [];
    for (let i = 0; i < repeat; i++) {
      if (repeat > 1) log(`training section, repeat ${i + 1} of ${repeat}`);
      passes.push(await runTrainingOnce({ contenders, probes, quick, epochs, dataset, dataDir, budget, verbose: values.verbose, log }));
    }
    report.trainingRuns = passes;
    const rows = summarize(passes);
    report.training = rows;
    const ok = rows.filter((r) => !r.error && !r.notMeasured);
    const spreadCell = (sp, d = 0) => (sp && sp.n > 1 ? `${fmt(sp.min, d)}–${fmt(sp.max, d)}` : '');
    md.push('', `## 2. Training: ${dataset === 'digits' ? 'digits (Fashion-MNIST absent)' : 'Fashion-MNIST'}, 784-128(ReLU)-64(ReLU)-10(softmax), categorical CE, Adam 1e-3, batch 128, shuffled, one ${epochs}-epoch fit call${repeat > 1 ? `, ${repeat} repeats (medians; spread = min–max over repeats)` : ''}`, '');
    md.push(
      markdownTable(
        ['contender', 'framework', 'ISA', 's/epoch (median of epochs 2+)', 'samples/s', ...(repeat > 1 ? ['samples/s spread'] : []), epochs === 10 ? 'drift (e8-10 / e2-4)' : 'drift (last 3 / e2-4)', ...(repeat > 1 ? ['drift spread'] : []), 'test acc after the run', 'timed over'],
        rows.map((r) => {
          if (r.error || r.notMeasured) {
            const why = r.notMeasured ?? `failed: ${r.error.split('\n')[0].slice(0, 160)}`;
            return [r.contender, r.framework ? `${r.framework}${r.blas ? ` + ${r.blas.name}` : ''}` : '', '', why, '', ...(repeat > 1 ? [''] : []), '', ...(repeat > 1 ? [''] : []), '', ''];
          }
          return [
            r.contender,
            r.framework + (r.blas ? ` + ${r.blas.name}` : ''),
            r.isa ?? '',
            fmt(r.secondsPerEpoch, 3),
            fmt(r.samplesPerSecond, 0),
            ...(repeat > 1 ? [spreadCell(r.samplesPerSecondSpread)] : []),
            fmt(r.drift, 3),
            ...(repeat > 1 ? [spreadCell(r.driftSpread, 3)] : []),
            fmt(r.accuracy ?? null, 4),
            r.extrapolatedFromBatches ? `${r.extrapolatedFromBatches} batches, extrapolated` : `${r.epochs} epochs${r.failedRepeats ? ` (${r.failedRepeats} repeat(s) failed)` : ''}`,
          ];
        }),
      ),
    );
    md.push('', 'Each epoch is timed from the end of the previous one (the first from the fit call); s/epoch is the median of epochs 2 on, samples/s = training samples / that median. Drift needs 7 or more epochs.');
    const withEpochs = ok.filter((r) => !r.extrapolatedFromBatches);
    if (withEpochs.length) {
      const n = Math.max(...withEpochs.flatMap((r) => r.runs.map((x) => x.epochSeconds.length)));
      md.push('', '### Every epoch, seconds', '');
      md.push(
        markdownTable(
          ['contender', ...(repeat > 1 ? ['repeat'] : []), ...Array.from({ length: n }, (_, i) => `e${i + 1}`), 'drift'],
          withEpochs.flatMap((r) => r.runs.map((x, i) => [r.contender, ...(repeat > 1 ? [String(i + 1)] : []), ...Array.from({ length: n }, (_, j) => fmt(x.epochSeconds[j] ?? null, 3)), fmt(x.drift, 3)])),
        ),
      );
    }
    const blasRows = rows.filter((r) => r.blas);
    if (blasRows.length)
      md.push('', `BLAS of the PyTorch rows (BLAS_INFO and /proc/self/maps, bench/suite/blas.mjs): ${[...new Map(blasRows.map((r) => [r.contender.replace(/-\d+t$/, ''), `${r.contender.replace(/-\d+t$/, '')}: ${r.blas.name}${r.blas.library ? ` (${r.blas.library})` : ''}`])).values()].join('; ')}. A PyTorch on the reference BLAS or an unidentified one is not measured.`);
    const kp = probes.keras;
    if (kp && !kp.error && !kp.notMeasured) md.push('', `Keras: ${kp.framework}, oneDNN ${kp.oneDnn ? 'on' : 'off'}, oneDNN ISA (ONEDNN_VERBOSE probe): ${kp.onednnIsa ?? 'not reported'}; intra/inter-op threads set to the thread count.`);
    md.push('', `## 3. Inference over the ${ok[0]?.testSamples ?? 'n/a'} test images (batches of 1000)`, '');
    const inferRows = [];
    const iqr = (q, n) => (q ? `${fmt(q[0] * 1000, 1)}–${fmt(q[1] * 1000, 1)} (${n} calls)` : '');
    for (const r of ok) {
      const simd = r.contender.startsWith('simdnet');
      inferRows.push([r.contender, simd ? 'predictAsync (off the event loop; copies its input while the job runs)' : r.contender.startsWith('tfjs') ? 'model.predict + data()' : 'model(x) per batch (blocking)', fmt(r.inferenceSeconds * 1000, 1), iqr(r.inferenceSecondsIqr, r.inferenceSecondsCalls), fmt(r.testSamples / r.inferenceSeconds, 0)]);
      if (r.inferenceSyncSeconds) inferRows.push([r.contender, 'predict (blocking; reads the input in place)', fmt(r.inferenceSyncSeconds * 1000, 1), iqr(r.inferenceSyncSecondsIqr, r.inferenceSyncSecondsCalls), fmt(r.testSamples / r.inferenceSyncSeconds, 0)]);
    }
    md.push(markdownTable(['contender', 'call', 'median ms (every call of every repeat)', 'middle half (p25–p75)', 'images/s'], inferRows));
    md.push('', '## 4. Event-loop lag during one epoch of fit (10 ms setInterval)', '');
    md.push(
      markdownTable(
        ['contender', 'worst ms', 'median ms', 'ticks', 'fit() blocks before returning (ms)'],
        ok.filter((r) => r.lagWorstMs !== undefined && r.lagWorstMs !== null).map((r) => [r.contender, fmt(r.lagWorstMs, 1), fmt(r.lagMedianMs, 1), r.lagTicks, fmt(r.fitSyncMs, 1)]),
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
    report.sources.push('Sections 2-5: one child process per contender and repeat: bench/suite/train-worker.mjs (simdnet, tfjs), bench/torch/train.py (PyTorch), bench/keras/train.py (Keras); medians and drift computed by bench/suite/common.mjs epochStats from the epoch times they report; JSON field trainingRuns keeps every repeat.');

    mkdirSync(outDir, { recursive: true });
    const stamp = started.toISOString().replace(/[:.]/g, '-');
    try {
      const { barChartSvg } = await import(join(distDir, 'cli', 'chart.js'));
      const svg = await barChartSvg(
        ok.map((r) => ({ label: r.contender, value: r.samplesPerSecond, group: r.contender.split('-')[0] })),
        { title: `Training samples/s, ${dataset}, ${host.cpu}${quick ? ' (quick mode)' : ''}`, xTitle: 'samples per second (log scale)', logScale: true },
      );
      const svgPath = join(outDir, `suite-${quick ? 'quick-' : ''}${stamp}.svg`);
      writeFileSync(svgPath, svg);
      report.chart = svgPath;
    } catch (e) {
      report.notes.push(`chart not written: ${e.message}`);
    }
  }

  if (sections.includes('inference')) {
    const threads = 2;
    // Quick mode: 2 rounds of 2 calls after a few batches of training, so that the protocol cannot rot.
    const rounds = quick ? 2 : PAIRED_ROUNDS;
    const calls = quick ? 2 : PAIRED_CALLS;
    md.push('', `## 6. Inference, paired: simdnet-native-${threads}t predict (blocking) and pytorch-${threads}t model(x), alternating blocks, each at its faster batch size`, '');
    let paired;
    if (!haveFashion) paired = { notMeasured: `not measured: Fashion-MNIST not found in ${dataDir}` };
    else {
      const probes = report.probes?.pytorch ? report.probes : await probeContenders([`pytorch-${threads}t`], log);
      paired = await runPairedInference({ probes, dataDir, epochs, threads, rounds, calls, quick, verbose: values.verbose, log });
    }
    report.paired = paired;
    if (paired.error || paired.notMeasured) md.push(paired.notMeasured ?? `failed: ${paired.error}`);
    else {
      md.push(
        markdownTable(
          ['round', 'first', 'simdnet median ms (its faster batch size)', 'PyTorch median ms (its faster batch size)', 'ratio simdnet / PyTorch'],
          paired.rounds.map((r, i) => [String(i + 1), r.first, `${fmt(r.simdnetSeconds * 1e3, 2)} (${r.simdnetBatch})`, `${fmt(r.pytorchSeconds * 1e3, 2)} (${r.pytorchBatch})`, fmt(r.ratio, 3)]),
        ),
      );
      md.push(
        '',
        `Median ratio over the ${paired.rounds.length} rounds: **${fmt(paired.ratio.median, 3)}** (min–max ${fmt(paired.ratio.min, 3)}–${fmt(paired.ratio.max, 3)}); medians over the rounds of each one's faster block: simdnet ${fmt(paired.simdnetSeconds * 1e3, 2)} ms, PyTorch ${fmt(paired.pytorchSeconds * 1e3, 2)} ms. ${paired.simdnet.framework}, ISA ${paired.simdnet.isa}, test accuracy ${fmt(paired.simdnet.accuracy, 4)}; ${paired.pytorch.framework} on ${paired.pytorch.blas?.name ?? '?'}, CPU capability ${paired.pytorch.cpuCapability ?? '?'}, test accuracy ${fmt(paired.pytorch.accuracy, 4)}.`,
      );
    }
    if (quick) md.push('', 'Quick mode: tiny training, 2 rounds of 2 calls; the figures mean nothing.');
    md.push('', `Both models trained as in section 2 (one ${epochs}-epoch fit call each; simdnet's zero skipping depends on the trained weights), in two processes that then stay up. Each round times, for each of the two in turn, a block of ${calls} calls (after a warm-up call) over the ${quick ? 1000 : '10,000'} test images in batches of 1000 rows and as one batch of the whole set, and compares each one's faster block; the order of the two, and of the batch sizes, changes from round to round (${rounds} rounds); the process not being timed waits on its stdin.`);
    report.sources.push('Section 6: bench/suite/paired.mjs: bench/suite/train-worker.mjs and bench/torch/train.py with their serve protocol (bench/python/benchcommon.py serve()).');
  }

  report.targets = evaluateTargets({ host, kernels: report.kernels ?? null, training: report.training ?? null, paired: report.paired ?? null, baseline, quick });
  md.push('', `## Targets (issue 10), from this run's figures only, on ${host.cpu}`, '');
  md.push(markdownTable(['host kind', 'target', 'measured', 'status', 'source'], report.targets.map((t) => [t.group, t.target, t.measured, t.status, t.source])));
  if (report.notes.length) md.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`));
  mkdirSync(outDir, { recursive: true });
  const jsonPath = join(outDir, `suite-${quick ? 'quick-' : ''}${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const mdPath = jsonPath.replace(/\.json$/, '.md');
  const show = (p) => (relative(repoRoot, p).startsWith('..') ? p : relative(repoRoot, p));
  report.sources.push(`Command: node bench/suite.mjs ${argv.join(' ')}`.trim());
  md.push('', '## Sources', '', `Every figure above comes from this one run on ${host.cpu}:`, ...report.sources.map((x) => `- ${x}`));
  md.push('', `JSON: ${show(jsonPath)}${report.chart ? `; chart: ${show(report.chart)}` : ''}; this report: ${show(mdPath)}`);
  writeFileSync(jsonPath, JSON.stringify(report, null, 2));
  writeFileSync(mdPath, md.join('\n') + '\n');
  io.out(md.join('\n'));
  return 0;
}

// Run when executed directly (node bench/suite.mjs), not when imported by `simdnet bench` or the tests.
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runSuite();
}
