/**
 * The benchmark suite's judgement, on made-up inputs: which BLAS a Python contender ran on (bench/suite/blas.mjs),
 * the per-epoch statistics (median after the first epoch, drift = median(e8-10) / median(e2-4)), and the issue-10
 * targets (bench/suite/targets.mjs): a PyTorch on the reference BLAS is never a ratio, a target for another host kind
 * or with a missing rival is "not measured: <why>", never "met".
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types (bench/ is not compiled)
import { blasVerdict, classifyBlas, NUMPY_BUNDLED, openblasKernel } from '../../bench/suite/blas.mjs';
// @ts-expect-error plain ESM without types
import { epochStats, resolvePython } from '../../bench/suite/common.mjs';
// @ts-expect-error plain ESM without types
import { hasAvx512, lscpuModelName } from '../../bench/suite/host.mjs';
// @ts-expect-error plain ESM without types
import { mergeKernelRounds, ROUND_CONTENDERS } from '../../bench/suite/kernels.mjs';
// @ts-expect-error plain ESM without types
import { pairedSummary } from '../../bench/suite/paired.mjs';
// @ts-expect-error plain ESM without types
import { evaluateTargets } from '../../bench/suite/targets.mjs';
// @ts-expect-error plain ESM without types
import { onednnIsa, summarize, withEpochStats } from '../../bench/suite/training.mjs';

type Target = { group: string; target: string; measured: string; status: string; source: string };

const REF = '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0';
const DEB_OB = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';
const NUMPY_OB = '/venv/lib/python3.11/site-packages/numpy.libs/libscipy_openblas64_-32a4b2a6.so';

describe('classifyBlas / blasVerdict', () => {
  it('names what a process really calls', () => {
    // Debian python3-torch without libopenblas0-pthread: libblas.so.3 is netlib's.
    expect(classifyBlas({ blasInfo: 'generic', libraries: [REF] }).kind).toBe('reference');
    // The same with libopenblas0-pthread first in LD_LIBRARY_PATH.
    expect(classifyBlas({ blasInfo: 'generic', libraries: [DEB_OB] }).kind).toBe('openblas');
    // pip torch: MKL is linked statically, only BLAS_INFO says so; numpy's own OpenBLAS is mapped beside it.
    expect(classifyBlas({ blasInfo: 'mkl', libraries: [NUMPY_OB], ignore: NUMPY_BUNDLED }).kind).toBe('mkl');
    // A reference libblas with numpy's OpenBLAS mapped too is still the reference BLAS for torch.
    expect(classifyBlas({ blasInfo: 'generic', libraries: [REF, NUMPY_OB], ignore: NUMPY_BUNDLED }).kind).toBe('reference');
    expect(classifyBlas({ blasInfo: null, libraries: ['/opt/x/libmkl_rt.so.2'] }).kind).toBe('mkl');
    expect(classifyBlas({ blasInfo: null, libraries: ['/usr/lib/libblis.so.4'] }).kind).toBe('blis');
    expect(classifyBlas({ blasInfo: 'open', libraries: [] }).kind).toBe('openblas');
    expect(classifyBlas({ blasInfo: 'generic', libraries: [] }).kind).toBe('unknown');
    expect(classifyBlas({}).kind).toBe('unknown');
  });

  it('refuses the reference BLAS and an unidentified one', () => {
    expect(blasVerdict(classifyBlas({ blasInfo: 'generic', libraries: [REF] }))).toEqual({ ok: false, why: 'reference BLAS' });
    expect(blasVerdict(classifyBlas({ libraries: [] }))).toEqual({ ok: false, why: 'BLAS not identified' });
    expect(blasVerdict(null)).toEqual({ ok: false, why: 'BLAS not identified' });
    expect(blasVerdict(classifyBlas({ blasInfo: 'mkl' }))).toEqual({ ok: true });
    expect(blasVerdict(classifyBlas({ libraries: [DEB_OB] }))).toEqual({ ok: true });
  });

  it("reads threadpoolctl's OpenBLAS kernel", () => {
    const tp = [
      { internal_api: 'openmp', num_threads: 2 },
      { internal_api: 'openblas', architecture: 'SkylakeX', version: '0.3.31', num_threads: 1, filepath: NUMPY_OB },
    ];
    expect(openblasKernel(tp)).toEqual({ kernel: 'SkylakeX', version: '0.3.31', threads: 1, library: NUMPY_OB });
    expect(openblasKernel(null)).toBeNull();
  });
});

describe('epoch statistics', () => {
  it('takes the median after the first epoch and the drift of epochs 8-10 over 2-4', () => {
    const e = [9, 1.0, 1.1, 0.9, 1.2, 1.3, 1.4, 1.5, 1.6, 1.4];
    const s = epochStats(e);
    expect(s.steady).toBeCloseTo(1.3, 12); // median of e2..e10
    expect(s.drift).toBeCloseTo(1.5 / 1.0, 12); // median(1.5, 1.6, 1.4) / median(1.0, 1.1, 0.9)
    expect(epochStats([2, 1, 1]).drift).toBeNull(); // too few epochs: the windows would overlap
    expect(epochStats([3]).steady).toBe(3);
    const row = withEpochStats({ contender: 'x-1t', trainSamples: 60000, epochSeconds: e });
    expect(row.samplesPerSecond).toBeCloseTo(60000 / 1.3, 6);
    expect(row.epochs).toBe(10);
  });

  it('summarizes repeats as median and min-max', () => {
    const pass = (sps: number) => [withEpochStats({ contender: 'simdnet-native-1t', trainSamples: 600, epochSeconds: Array(10).fill(600 / sps), inferenceSeconds: 0.01 })];
    const [r] = summarize([pass(100), pass(300), pass(200)]);
    expect(r.samplesPerSecond).toBeCloseTo(200, 9);
    expect(r.samplesPerSecondSpread.min).toBeCloseTo(100, 9);
    expect(r.samplesPerSecondSpread.max).toBeCloseTo(300, 9);
    expect(r.runs).toHaveLength(3);
  });

  it('takes inference over every timed call of every repeat, with the middle half', () => {
    const pass = (runs: number[] | undefined, single: number) => [withEpochStats({ contender: 'pytorch-2t', trainSamples: 600, epochSeconds: Array(10).fill(1), inferenceSeconds: single, inferenceRuns: runs })];
    // repeat medians 0.002 and 0.010 (their median: 0.006); the 8 calls' median is 0.009
    const [r] = summarize([pass([0.001, 0.002, 0.003], 0.002), pass([0.008, 0.009, 0.010, 0.011, 0.012], 0.010)]);
    expect(r.inferenceSeconds).toBeCloseTo(0.0085, 12);
    expect(r.inferenceSecondsCalls).toBe(8);
    expect(r.inferenceSecondsIqr[0]).toBeCloseTo(0.00275, 12); // 0.25 * 7 = 1.75: between 0.002 and 0.003
    expect(r.inferenceSecondsIqr[1]).toBeCloseTo(0.01025, 12); // 0.75 * 7 = 5.25: between 0.010 and 0.011
    expect(r.inferenceSyncSeconds).toBeNull();
    // a worker that reports no calls (an older result): the repeats' own figures
    const [old] = summarize([pass(undefined, 0.004), pass(undefined, 0.006)]);
    expect(old.inferenceSeconds).toBeCloseTo(0.005, 12);
  });
});

describe('kernel rounds (--kernel-rounds)', () => {
  const round = (g: Record<string, number>, peak1: number) => ({
    fmaPeakGflops: { 1: peak1, 2: 2 * peak1 },
    simdnetFmaPeakGflops: { 1: peak1 },
    results: Object.entries(g).map(([contender, gflops]) => ({ contender, threads: contender.includes('2t') ? 2 : 1, shape: '(128,784,128)', gflops })),
  });

  it('gives every contender its median over the rounds, the spread, and the highest peak', () => {
    const first = round({ 'simdnet native 2t': 100, 'OpenBLAS 2t (numpy)': 150, 'simdnet TS twin': 1 }, 110);
    const merged = mergeKernelRounds(first, [round({ 'simdnet native 2t': 190, 'OpenBLAS 2t (numpy)': 90 }, 118), round({ 'simdnet native 2t': 180, 'OpenBLAS 2t (numpy)': 140 }, 112)]);
    const get = (n: string) => merged.results.find((r: { contender: string }) => r.contender === n);
    expect(get('simdnet native 2t').gflops).toBe(180);
    expect(get('simdnet native 2t').spread).toEqual([100, 190]);
    expect(get('OpenBLAS 2t (numpy)').gflops).toBe(140);
    expect(get('OpenBLAS 2t (numpy)').rounds).toEqual([150, 90, 140]);
    expect(get('simdnet TS twin').gflops).toBe(1); // timed once: left as it was
    expect(get('simdnet TS twin').spread).toBeUndefined();
    expect(merged.fmaPeakGflops[1]).toBe(118);
    expect(get('simdnet native 2t').pctPeak).toBeCloseTo((100 * 180) / 236, 9);
    expect(merged.rounds).toBe(3);
  });

  it('times again only the native GEMMs', () => {
    expect(['simdnet native 1t', 'simdnet native 2t', 'OpenBLAS 1t (numpy)', 'MKL 2t (PyTorch)'].every((n) => ROUND_CONTENDERS.test(n))).toBe(true);
    expect(['simdnet TS twin', 'tfjs-cpu', 'tfjs-wasm'].some((n) => ROUND_CONTENDERS.test(n))).toBe(false);
  });
});

describe('host and probes', () => {
  it('knows an AVX-512 host and the lscpu model name', () => {
    expect(hasAvx512(['avx2', 'fma', 'avx512f', 'avx512dq', 'avx512bw', 'avx512vl'])).toBe(true);
    expect(hasAvx512(['avx2', 'fma', 'avx512f'])).toBe(false);
    expect(lscpuModelName('Architecture: x86_64\nModel name:    AMD EPYC 9R14\nThread(s) per core: 1\n')).toBe('AMD EPYC 9R14');
    expect(onednnIsa('x\nonednn_verbose,v1,info,cpu,isa:Intel AVX-512 with Intel DL Boost\nonednn_verbose,v1,info,gpu')).toBe('Intel AVX-512 with Intel DL Boost');
  });

  it('resolves the Python of the pip contenders', () => {
    expect(resolvePython({ SIMDNET_BENCH_PYTHON: '/x/bin/python' }, '/nowhere')).toBe('/x/bin/python');
    expect(resolvePython({}, '/nowhere')).toBe('python3');
  });
});

// --- targets -------------------------------------------------------------------------------------------------------

const host = { cpu: 'Test CPU', avx512: true };
const kernelsOf = (simd1: number, simd2: number, ob: number, mkl: number | null, peakIsa = 'avx512') => {
  const shapes = ['1024³', '(128,784,128)', '(128,128,64)', '(128,64,10)'];
  const results = shapes.flatMap((shape) => [
    { contender: 'simdnet native 1t', threads: 1, shape, gflops: simd1 },
    { contender: 'simdnet native 2t', threads: 2, shape, gflops: simd2 },
    { contender: 'OpenBLAS 1t (numpy)', threads: 1, shape, gflops: ob },
    { contender: 'OpenBLAS 2t (numpy)', threads: 2, shape, gflops: ob / 2 },
    ...(mkl === null ? [] : [{ contender: 'MKL 2t (PyTorch)', threads: 2, shape, gflops: mkl }]),
  ]);
  if (mkl === null) results.push({ contender: 'MKL 1t (PyTorch)', error: 'not installed: no torch' } as never);
  return { shapes, results, fmaPeakGflops: { 1: 100, 2: 200 }, peakIsa };
};
const row = (contender: string, samplesPerSecond: number, extra: Record<string, unknown> = {}) => ({
  contender, samplesPerSecond, drift: 1.0, inferenceSeconds: 0.02, inferenceSyncSeconds: 0.018, accuracy: 0.885, lagWorstMs: 2, epochs: 10, ...extra,
});
const find = (ts: Target[], part: string) => {
  const t = ts.find((x) => x.target.includes(part) && x.group === 'AVX-512 host');
  expect(t, part).toBeDefined();
  return t!;
};

describe('evaluateTargets', () => {
  const training = [
    row('simdnet-native-1t', 200_000, { drift: 1.02, inferenceSeconds: 0.012 }),
    row('simdnet-native-2t', 300_000, { drift: 1.04, inferenceSeconds: 0.013, inferenceSyncSeconds: 0.01 }),
    row('pytorch-1t', 60_000, { inferenceSeconds: 0.03 }),
    row('pytorch-2t', 100_000, { inferenceSeconds: 0.02 }),
    row('keras-1t', 40_000),
    row('keras-2t', 50_000),
    row('tfjs-cpu', 600),
    row('tfjs-wasm', 4000),
  ];

  it('meets every AVX-512 target when the figures say so', () => {
    const ts: Target[] = evaluateTargets({ host, kernels: kernelsOf(90, 170, 100, 120), training });
    expect(find(ts, '1024³').status).toBe('met'); // 90 of 100
    expect(find(ts, '(128,784,128)').status).toBe('met'); // 170 vs 120: 1.42x
    expect(find(ts, 'Training').status).toBe('met'); // 300k / 100k = 3x
    expect(find(ts, 'Training').measured).toContain('3.00x');
    expect(find(ts, 'drift').status).toBe('met');
    expect(find(ts, 'predict, blocking').status).toBe('met'); // 10 ms / 20 ms
    expect(find(ts, 'predictAsync').status).toBe('met'); // 12 ms (the 1t row) / 20 ms
    // AVX2-host targets do not apply on an AVX-512 CPU.
    for (const t of ts.filter((x) => x.group === 'AVX2-only host')) expect(t.status).toMatch(/^not measured: this CPU .* has AVX-512/);
  });

  it('gives no verdict in quick mode', () => {
    const ts: Target[] = evaluateTargets({ host, kernels: kernelsOf(90, 170, 100, 120), training, quick: true });
    for (const t of ts) expect(t.status, t.target).toMatch(/^not measured: /);
    expect(find(ts, 'Training').status).toBe('not measured: quick mode (tiny sizes, figures meaningless)');
  });

  it('says not met when a figure falls short', () => {
    const slow = training.map((r) =>
      r.contender === 'simdnet-native-2t' ? { ...r, samplesPerSecond: 150_000, drift: 1.2 } : r.contender === 'simdnet-native-1t' ? { ...r, samplesPerSecond: 180_000 } : r,
    );
    const ts: Target[] = evaluateTargets({ host, kernels: kernelsOf(80, 100, 100, 120), training: slow });
    expect(find(ts, '1024³').status).toBe('not met'); // 80%
    expect(find(ts, '(128,128,64)').status).toBe('not met'); // 100 vs 120
    expect(find(ts, 'Training').status).toBe('not met'); // best native 180k / best PyTorch 100k = 1.8x
    expect(find(ts, 'drift').status).toBe('not met');
    expect(find(ts, 'drift').measured).toContain('simdnet-native-2t');
    // predictAsync at 15 ms against PyTorch's 20: 0.75x; the blocking predict (10 ms) still meets it.
    const slowAsync = training.map((r) => (r.contender.startsWith('simdnet-native') ? { ...r, inferenceSeconds: 0.015 } : r));
    const ta: Target[] = evaluateTargets({ host, kernels: null, training: slowAsync });
    expect(find(ta, 'predictAsync').status).toBe('not met');
    expect(find(ta, 'predictAsync').measured).toContain('0.75x');
    expect(find(ta, 'predict, blocking').status).toBe('met');
  });

  it('never takes a ratio against PyTorch on the reference BLAS', () => {
    // What issue 10 saw: Debian's PyTorch on libblas.so.3 at ~1/17 of simdnet. As a row the suite marks it not
    // measured; if that guard were gone, the reference-BLAS row would be the only PyTorch and "met" would follow.
    const ref = [
      row('simdnet-native-2t', 300_000),
      { contender: 'pytorch-debian-1t', notMeasured: 'not measured: reference BLAS' },
      { contender: 'pytorch-1t', notMeasured: 'not installed: torch (python3)' },
      { contender: 'keras-1t', notMeasured: 'not installed: keras tensorflow-cpu (python3)' },
    ];
    const ts: Target[] = evaluateTargets({ host, kernels: null, training: ref });
    const t = find(ts, 'Training');
    expect(t.status).toMatch(/^not measured: .*reference BLAS/);
    expect(t.measured).toBe('n/a');
    for (const t of ts.filter((x) => x.target.startsWith('Inference'))) expect(t.status).toMatch(/^not measured: PyTorch: .*reference BLAS/);
  });

  it('gives no verdict against one rival when the other is missing', () => {
    const noKeras = training.filter((r) => !r.contender.startsWith('keras')).concat([{ contender: 'keras-1t', notMeasured: 'not installed: keras' } as never]);
    const ts: Target[] = evaluateTargets({ host, kernels: kernelsOf(90, 170, 100, null), training: noKeras });
    expect(find(ts, 'Training').status).toBe('not measured: Keras: not installed: keras');
    expect(find(ts, 'Training').measured).toContain('3.00x'); // the figure is shown, the verdict withheld
    expect(find(ts, '(128,784,128)').status).toBe('not measured: MKL: not installed: no torch');
  });

  it('measures no AVX-512 target on an AVX2-only CPU, or without an AVX-512 peak', () => {
    const ts: Target[] = evaluateTargets({ host: { cpu: 'Old CPU', avx512: false }, kernels: kernelsOf(90, 170, 100, 120, 'avx2'), training });
    for (const t of ts.filter((x) => x.group === 'AVX-512 host')) expect(t.status, t.target).toMatch(/^not measured: this CPU \(Old CPU\) lacks AVX-512/);
    expect(ts.find((x) => x.group === 'AVX2-only host' && x.target.includes('drift'))!.status).toBe('met');
    expect(ts.find((x) => x.group === 'AVX2-only host' && x.target.includes('regression'))!.status).toBe('not measured: no --baseline report given');
    const forced: Target[] = evaluateTargets({ host, kernels: kernelsOf(90, 170, 100, 120, 'avx2'), training });
    expect(find(forced, '1024³').status).toBe('not measured: no AVX-512 FMA peak measured (peak ISA avx2)');
  });

  it('compares with a baseline only from the same CPU', () => {
    const avx2 = { cpu: 'Zen 3', avx512: false };
    const k = kernelsOf(90, 170, 100, 120, 'avx2');
    const base = (cpu: string, sps: number) => ({ machine: { cpu }, training: [row('simdnet-native-2t', sps)], kernels: kernelsOf(90, 170, 100, 120, 'avx2') });
    const reg = (b: unknown) => (evaluateTargets({ host: avx2, kernels: k, training, baseline: b }) as Target[]).find((x) => x.target.includes('regression'))!;
    expect(reg(base('Zen 3', 300_000)).status).toBe('met');
    expect(reg(base('Zen 3', 320_000)).status).toBe('not met'); // 300k / 320k = 0.9375
    expect(reg(base('Xeon', 300_000)).status).toMatch(/^not measured: the baseline ran on "Xeon"/);
  });
});

describe('paired inference (section 6)', () => {
  // Three rounds, each contender at two batch sizes: per round each one's faster block, their ratio, and the median
  // ratio over the rounds.
  const rounds = [
    { first: 'simdnet', simdnet: { 1000: [0.0064, 0.0062, 0.007], 10000: [0.0066] }, pytorch: { 1000: [0.0095, 0.0091, 0.0093], 10000: [0.009, 0.0092] } },
    { first: 'pytorch', simdnet: { 1000: [0.0066, 0.0068], 10000: [0.0069] }, pytorch: { 1000: [0.0088, 0.0092], 10000: [0.0095] } },
    { first: 'simdnet', simdnet: { 1000: [0.0063], 10000: [0.0061] }, pytorch: { 1000: [0.01], 10000: [0.0098] } },
  ];
  it("takes each one's faster batch size per round, a ratio per round, then the median over the rounds", () => {
    const s = pairedSummary(rounds);
    expect(s.rounds.map((r: { first: string }) => r.first)).toEqual(['simdnet', 'pytorch', 'simdnet']);
    expect(s.rounds[0].simdnetSeconds).toBeCloseTo(0.0064, 12); // batch 1000's median beats 10000's 0.0066
    expect(s.rounds[0].simdnetBatch).toBe(1000);
    expect(s.rounds[0].pytorchSeconds).toBeCloseTo(0.0091, 12); // 10000: the mean of the middle two of 0.009, 0.0092
    expect(s.rounds[0].pytorchBatch).toBe(10000);
    expect(s.rounds[1].simdnetSeconds).toBeCloseTo(0.0067, 12);
    expect(s.rounds[1].ratio).toBeCloseTo(0.0067 / 0.009, 12);
    expect(s.rounds[2].simdnetBatch).toBe(10000);
    expect(s.rounds[2].ratio).toBeCloseTo(0.0061 / 0.0098, 12);
    expect(s.ratio.median).toBeCloseTo(0.0064 / 0.0091, 12); // ratios 0.703, 0.744, 0.622
    expect(s.ratio.min).toBeCloseTo(0.0061 / 0.0098, 12);
    expect(s.ratio.max).toBeCloseTo(0.0067 / 0.009, 12);
    expect(s.ratio.n).toBe(3);
    expect(s.simdnetSeconds).toBeCloseTo(0.0064, 12); // the median of the rounds' 0.0064, 0.0067, 0.0061
    expect(s.pytorchSeconds).toBeCloseTo(0.0091, 12); // of 0.0091, 0.009, 0.0098
  });

  const paired = (ratios: number[]) => {
    const rs = ratios.map((r, i) => ({ first: i % 2 ? 'pytorch' : 'simdnet', simdnet: { 1000: [0.009 * r], 10000: [0.01] }, pytorch: { 1000: [0.0095], 10000: [0.009] } }));
    return {
      simdnet: { contender: 'simdnet-native-2t' },
      pytorch: { contender: 'pytorch-2t' },
      ...pairedSummary(rs),
    };
  };
  const judge = (p: unknown, h = host) => (evaluateTargets({ host: h, training: null, paired: p }) as Target[]).find((x) => x.target.startsWith('Paired inference'))!;

  it("judges the paired target on the median ratio over the rounds, against PyTorch's faster batch size", () => {
    expect(judge(paired([0.66, 0.69, 0.72])).status).toBe('met'); // median 0.69 of PyTorch's 9.0 ms (batch 10000)
    expect(judge(paired([0.66, 0.69, 0.72])).measured).toMatch(/^0\.69x \(3 rounds, 0\.66-0\.72; simdnet-native-2t 6\.21 ms vs pytorch-2t 9\.00 ms\)/);
    expect(judge(paired([0.68, 0.71, 0.73])).status).toBe('not met'); // median 0.71, though one round is below
  });

  it('says why there is no paired verdict', () => {
    expect(judge(null).status).toBe('not measured: paired inference not run');
    expect(judge({ notMeasured: 'not measured: reference BLAS' }).status).toBe('not measured: reference BLAS');
    expect(judge({ error: 'python exited with 1' }).status).toBe('not measured: failed: python exited with 1');
    expect(judge(paired([0.5]), { cpu: 'Old CPU', avx512: false }).status).toMatch(/^not measured: this CPU \(Old CPU\) lacks AVX-512/);
  });
});
