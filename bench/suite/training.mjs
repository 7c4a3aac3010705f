// Part 2 of the suite: training (and inference, lag, memory) for every contender, each in its own process, each
// at 1 and 2 threads where it has threads. Every contender trains ONE fit call of `epochs` epochs (10 by default)
// and reports each epoch's time; the suite takes the median after the first epoch and the drift (common.mjs
// epochStats), so every contender is measured alike. What each contender is runs through probes first:
//   pytorch-*         PyTorch in PYTHON (the pip venv: torch==2.x+cpu, MKL and oneDNN);
//   pytorch-debian-*  Debian's python3-torch 1.13 in DEBIAN_PYTHON with libopenblas0-pthread first in LD_LIBRARY_PATH
//                     (the BASELINES.md setup); "not installed" when python3-torch is absent;
//   keras-*           Keras 3 on TensorFlow (tensorflow-cpu) in PYTHON; its probe runs with ONEDNN_VERBOSE=1 to read
//                     the ISA oneDNN dispatches to;
//   simdnet-*, tfjs-* Node workers (bench/suite/train-worker.mjs).
// A PyTorch on the reference BLAS, or on a BLAS nobody can name, is not trained and never gets a figure (blas.mjs).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OPENBLAS_DIR } from '../kernels/openblas.mjs';
import { blasVerdict, classifyBlas, NUMPY_BUNDLED } from './blas.mjs';
import { benchDir, DEBIAN_PYTHON, epochStats, INFER_CALLS, median, PYTHON, quantile, runChild, spread } from './common.mjs';
import { groupOf } from './targets.mjs';

export const ALL_CONTENDERS = [
  'simdnet-native-1t', 'simdnet-native-2t',
  'pytorch-1t', 'pytorch-2t',
  'pytorch-debian-1t', 'pytorch-debian-2t',
  'keras-1t', 'keras-2t',
  'tfjs-wasm', 'tfjs-cpu', 'simdnet-js',
];

export const TORCH_SCRIPT = join(benchDir, 'torch', 'train.py');
const KERAS_SCRIPT = join(benchDir, 'keras', 'train.py');

export const threadEnv = (t) => ({ OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t) });
const debianEnv = () => ({ LD_LIBRARY_PATH: [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') });

/** 'not installed: ...' for a probe that could not import its framework, else the error's first line. */
function probeFailure(error, python, module, pkg) {
  if (new RegExp(`No module named '${module}'`).test(error) || /ENOENT/.test(error)) return { notMeasured: `not installed: ${pkg} (${python})` };
  return { error: error.split('\n').slice(0, 3).join(' ') };
}

/** Reads oneDNN's "isa:" verbose line (printed by the keras probe under ONEDNN_VERBOSE=1). */
export function onednnIsa(text) {
  const m = /onednn_verbose[^\n]*,isa:([^\n]+)/.exec(text ?? '');
  return m ? m[1].trim() : null;
}

/** One probe per Python contender family, once per suite run: what it is, and whether it may be measured. */
export async function probeContenders(contenders, log = () => {}) {
  const wants = (g) => contenders.some((c) => groupOf(c) === g);
  const probes = {};
  const torchProbe = async (python, env, pkg) => {
    const r = await runChild(python, [TORCH_SCRIPT, '--probe'], { env, timeoutMs: 300_000 });
    if (r.error) return probeFailure(r.error, python, 'torch', pkg);
    const blas = classifyBlas({ blasInfo: r.blasInfo, libraries: r.blasLibraries, ignore: NUMPY_BUNDLED });
    const v = blasVerdict(blas);
    return { ...r, blas, ...(v.ok ? {} : { notMeasured: `not measured: ${v.why}` }) };
  };
  if (wants('pytorch')) {
    log('probe: PyTorch (pip)');
    probes.pytorch = await torchProbe(PYTHON, {}, 'torch (pip install torch==2.13.0+cpu; bench/setup-venv.sh)');
  }
  if (wants('pytorch-debian')) {
    log('probe: PyTorch (Debian)');
    probes['pytorch-debian'] = existsSync(DEBIAN_PYTHON)
      ? await torchProbe(DEBIAN_PYTHON, debianEnv(), 'python3-torch (apt-get install python3-torch libopenblas0-pthread)')
      : { notMeasured: `not installed: ${DEBIAN_PYTHON}` };
    if (probes['pytorch-debian'].blas?.kind === 'reference' && !existsSync(OPENBLAS_DIR))
      probes['pytorch-debian'].notMeasured += ` (libopenblas0-pthread is not installed: no ${OPENBLAS_DIR})`;
  }
  if (wants('keras')) {
    log('probe: Keras on TensorFlow');
    const r = await runChild(PYTHON, [KERAS_SCRIPT, '--probe'], { env: { ONEDNN_VERBOSE: '1' }, raw: true, timeoutMs: 300_000 });
    if (r.error) probes.keras = probeFailure(r.error, PYTHON, '(tensorflow|keras)', 'keras tensorflow-cpu (bench/setup-venv.sh)');
    else {
      const { rawStdout, rawStderr, ...facts } = r;
      probes.keras = { ...facts, onednnIsa: onednnIsa(rawStdout + rawStderr) };
    }
  }
  return probes;
}

/** Adds the suite's own per-epoch statistics to a contender's raw result. */
export function withEpochStats(r) {
  if (r.error || r.notMeasured) return r;
  const { steady, drift } = epochStats(r.epochSeconds);
  return { ...r, epochs: r.extrapolatedFromBatches ? null : r.epochSeconds.length, secondsPerEpoch: steady, samplesPerSecond: r.trainSamples / steady, drift };
}

/** The ISA / kernel a contender's row says it ran. */
function isaOf(name, r, probes) {
  const g = groupOf(name);
  if (g === 'pytorch' || g === 'pytorch-debian') return `torch CPU capability ${r.cpuCapability ?? '?'}; BLAS ${r.blas?.name ?? '?'}`;
  if (g === 'keras') {
    const p = probes.keras ?? {};
    return `oneDNN ${p.oneDnn ? 'on' : 'off'}${p.onednnIsa ? ` (isa: ${p.onednnIsa})` : ''}; XLA jit ${r.jitCompile ? 'on' : 'off'}`;
  }
  return r.isa ?? null;
}

/**
 * One pass over the contenders: rows in `contenders` order, each { contender, ... } with the suite's epoch statistics,
 * or { contender, error } / { contender, notMeasured }.
 */
export async function runTrainingOnce({ contenders, probes, quick, epochs, dataset, dataDir, budget, verbose, log = () => {} }) {
  const rows = [];
  const pyArgs = (threads) => {
    const a = ['--data', dataDir, '--threads', String(threads), '--epochs', String(epochs), '--infer-calls', String(INFER_CALLS)];
    if (quick) a.push('--train-limit', '2048', '--test-limit', '1000');
    return a;
  };
  for (const name of contenders) {
    const g = groupOf(name);
    const threads = Number(name.match(/-(\d+)t$/)?.[1] ?? 1);
    log(`training: ${name}`);
    let r;
    if (g === 'pytorch' || g === 'pytorch-debian' || g === 'keras') {
      const p = probes[g];
      if (!p || p.notMeasured || p.error) r = p?.notMeasured ? { notMeasured: p.notMeasured, framework: p.framework, blas: p.blas } : { error: p?.error ?? 'no probe' };
      else if (dataset !== 'fashion-mnist') r = { notMeasured: 'not measured: Fashion-MNIST absent (quick mode trains Node contenders on digits)' };
      else if (g === 'keras') {
        r = await runChild(PYTHON, [KERAS_SCRIPT, ...pyArgs(threads)], { env: { ...threadEnv(threads), TF_CPP_MIN_LOG_LEVEL: '2' }, verbose });
      } else {
        const python = g === 'pytorch' ? PYTHON : DEBIAN_PYTHON;
        r = await runChild(python, [TORCH_SCRIPT, ...pyArgs(threads)], { env: { ...threadEnv(threads), ...(g === 'pytorch-debian' ? debianEnv() : {}) }, verbose });
        if (!r.error) {
          // The guard again on the training process's own report: its figures stand only on a named, optimized BLAS.
          const blas = classifyBlas({ blasInfo: r.blasInfo, libraries: r.blasLibraries, ignore: NUMPY_BUNDLED });
          const v = blasVerdict(blas);
          r = v.ok ? { ...r, blas } : { notMeasured: `not measured: ${v.why}`, framework: r.framework, blas };
        }
      }
    } else {
      const [, backend] = name.match(/^(simdnet-native|simdnet-js|tfjs-cpu|tfjs-wasm)/);
      const cfg = { contender: backend, threads, epochs, dataset, dataDir, budgetSeconds: budget };
      if (quick) Object.assign(cfg, { maxBatches: 4, trainLimit: 2048, testLimit: 1000, probeBatches: 2 });
      r = await runChild(process.execPath, [join(benchDir, 'suite', 'train-worker.mjs'), JSON.stringify(cfg)], { verbose });
    }
    const row = withEpochStats({ ...r, contender: name });
    if (!row.error && !row.notMeasured) row.isa = isaOf(name, row, probes);
    if (row.error) log(`  ${name}: failed: ${row.error.split('\n')[0]}`);
    else if (row.notMeasured) log(`  ${name}: ${row.notMeasured}`);
    else log(`  ${name}: ${Math.round(row.samplesPerSecond)} samples/s, epochs ${row.epochSeconds.map((s) => s.toFixed(2)).join(' ')}`);
    rows.push(row);
  }
  return rows;
}

/** { [key]: median, [key + 'Iqr']: [p25, p75], [key + 'Calls']: count } over the calls in runsKey, else over key. */
function callStats(rows, key, runsKey) {
  const calls = rows.flatMap((r) => (Array.isArray(r[runsKey]) && r[runsKey].length ? r[runsKey] : typeof r[key] === 'number' ? [r[key]] : []));
  if (!calls.length) return { [key]: null };
  return { [key]: median(calls), [`${key}Iqr`]: [quantile(calls, 0.25), quantile(calls, 0.75)], [`${key}Calls`]: calls.length };
}

/**
 * One row per contender over the repeats: medians of samples/s, s/epoch, drift, inference, accuracy and lag, with
 * the spread (min-max) of samples/s and drift; `runs` keeps every repeat's epoch times. A contender that failed or was
 * not measured in every repeat keeps the first repeat's reason.
 */
export function summarize(passes) {
  const names = [...new Set(passes.flatMap((p) => p.map((r) => r.contender)))];
  return names.map((name) => {
    const all = passes.map((p) => p.find((r) => r.contender === name)).filter(Boolean);
    const ok = all.filter((r) => !r.error && !r.notMeasured);
    if (!ok.length) return { ...all[0], repeats: all.length };
    const pick = (k) => spread(ok.map((r) => r[k]));
    const sps = pick('samplesPerSecond');
    const drift = pick('drift');
    const first = ok[0];
    return {
      ...first,
      repeats: all.length,
      measuredRepeats: ok.length,
      failedRepeats: all.length - ok.length,
      samplesPerSecond: sps.median,
      samplesPerSecondSpread: sps,
      // From the median samples/s, so both columns say the same thing (medians of an even count are means).
      secondsPerEpoch: first.trainSamples / sps.median,
      drift: drift?.median ?? null,
      driftSpread: drift,
      // Over every timed call of every repeat where the worker reports them (median and interquartile range).
      ...callStats(ok, 'inferenceSeconds', 'inferenceRuns'),
      ...callStats(ok, 'inferenceSyncSeconds', 'inferenceSyncRuns'),
      accuracy: pick('accuracy')?.median ?? null,
      lagWorstMs: pick('lagWorstMs')?.median ?? null,
      peakRssBytes: pick('peakRssBytes')?.median ?? null,
      runs: ok.map((r) => ({ epochSeconds: r.epochSeconds, samplesPerSecond: r.samplesPerSecond, drift: r.drift })),
    };
  });
}
