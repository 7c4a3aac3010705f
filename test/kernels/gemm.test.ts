import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { getBackend, setBackend } from '../../lib/backend.js';
import * as pub from '../../lib/kernels/gemm.js';
import * as ref from '../../lib/kernels/reference/gemm.js';
import * as nat from '../../lib/kernels/native/gemm.js';
import type { Activation, GemmArgs } from '../../lib/kernels/gemm.js';
import { testedIsas } from '../helpers/isa.js';

// Fixed-seed xorshift in [-1, 1).
function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s / 4294967296) * 2 - 1;
  };
}

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  padA?: number;
  padB?: number;
  padC?: number;
  alpha?: number;
  beta?: number;
  bias?: boolean;
  activation?: Activation;
  leakyAlpha?: number;
  offset?: number; // element offset of every view into its buffer (1 = byteOffset 4: unaligned for SIMD)
}

interface Built {
  args: GemmArgs;
  c0: Float32Array;
  lda: number;
  ldb: number;
  ldc: number;
}

let seed = 1;
function build(cs: Case): Built {
  const r = rng(seed++);
  const off = cs.offset ?? 0;
  const aRows = cs.transA ? cs.k : cs.m, aCols = cs.transA ? cs.m : cs.k;
  const bRows = cs.transB ? cs.n : cs.k, bCols = cs.transB ? cs.k : cs.n;
  const lda = aCols + (cs.padA ?? 0), ldb = bCols + (cs.padB ?? 0), ldc = cs.n + (cs.padC ?? 0);
  const ext = (rows: number, cols: number, ld: number) => (rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols);
  const view = (len: number, fill: () => number) => {
    const v = new Float32Array(len + off).subarray(off);
    for (let i = 0; i < len; i++) v[i] = fill();
    return v;
  };
  const a = view(ext(aRows, aCols, lda), r);
  const b = view(ext(bRows, bCols, ldb), r);
  const beta = cs.beta ?? 0;
  const c = view(ext(cs.m, cs.n, ldc), () => (beta === 0 ? NaN : r()));
  for (let i = 0; i < c.length; i++) if (i % ldc >= cs.n) c[i] = 12345; // padding sentinel
  const bias = cs.bias ? view(cs.n, r) : null;
  const args: GemmArgs = {
    transA: cs.transA, transB: cs.transB, m: cs.m, n: cs.n, k: cs.k, alpha: cs.alpha ?? 1, a, lda, b, ldb, beta, c, ldc,
    bias, activation: cs.activation ?? 'linear', leakyAlpha: cs.leakyAlpha ?? 0.01,
  };
  return { args, c0: c.slice(), lda, ldb, ldc };
}

function act64(kind: Activation, slope: number, v: number): number {
  switch (kind) {
    case 'relu': return v > 0 ? v : 0;
    case 'leakyRelu': return v > 0 ? v : slope * v;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    default: return v;
  }
}

/** Float64 result and error bound per element: 4*(k+2)*eps32*(|alpha| sum|a b| + |beta c| + |bias|) + 4 eps |want|. */
function reference64(bt: Built): { want: Float64Array; tol: Float64Array } {
  const { args, c0, lda, ldb, ldc } = bt;
  const { m, n, k, a, b } = args;
  const alpha = args.alpha ?? 1, beta = args.beta ?? 0;
  const want = new Float64Array(m * n), tol = new Float64Array(m * n);
  const eps = 2 ** -23;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0, mag = 0;
      if (alpha !== 0)
        for (let p = 0; p < k; p++) {
          const x = args.transA ? a[p * lda + i] : a[i * lda + p];
          const y = args.transB ? b[j * ldb + p] : b[p * ldb + j];
          acc += x * y;
          mag += Math.abs(x * y);
        }
      let v = alpha * acc;
      mag *= Math.abs(alpha);
      if (beta !== 0) { v += beta * c0[i * ldc + j]; mag += Math.abs(beta * c0[i * ldc + j]); }
      if (args.bias) { v += args.bias[j]; mag += Math.abs(args.bias[j]); }
      const w = act64(args.activation ?? 'linear', args.leakyAlpha ?? 0.01, v);
      want[i * n + j] = w;
      tol[i * n + j] = 4 * (k + 2) * eps * mag + 4 * eps * Math.abs(w) + 1e-30;
    }
  return { want, tol };
}

/** Checks C against the float64 reference and returns the reference's per-element tolerance. */
function expectMatches(bt: Built, label: string): Float64Array {
  const { want, tol } = reference64(bt);
  const { m, n, c } = bt.args;
  const bad: string[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const got = c[i * bt.ldc + j];
      if (!(Math.abs(got - want[i * n + j]) <= tol[i * n + j]) && bad.length < 3)
        bad.push(`C[${i},${j}] got ${got} expected ${want[i * n + j]} (tol ${tol[i * n + j].toExponential(2)})`);
    }
    for (let j = n; j < bt.ldc && i * bt.ldc + j < c.length; j++)
      if (c[i * bt.ldc + j] !== 12345 && bad.length < 3) bad.push(`padding C[${i},${j}] overwritten`);
  }
  expect(bad, `${label}: ${bad.join('; ')}`).toEqual([]);
  return tol;
}

function describeCase(cs: Case, isa: string, extra = ''): string {
  return `[${isa}] ${cs.transA ? 'T' : 'N'}${cs.transB ? 'T' : 'N'} m=${cs.m} n=${cs.n} k=${cs.k} ` +
    `alpha=${cs.alpha ?? 1} beta=${cs.beta ?? 0} bias=${!!cs.bias} ${cs.activation ?? 'linear'} off=${cs.offset ?? 0}${extra}`;
}

// Sizes around every ISA's tile (scalar 4x4, avx2 6x16, neon 8x12, avx512 12x32) plus primes > 100.
const M_SIZES = [1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 17, 25, 101];
const N_SIZES = [1, 3, 4, 5, 11, 12, 13, 15, 16, 17, 25, 31, 32, 33, 65, 103];

function tileCases(): Case[] {
  const out: Case[] = [];
  let t = 0;
  for (const m of M_SIZES)
    for (const n of N_SIZES) {
      t++;
      out.push({ transA: (t & 1) === 1, transB: (t & 2) === 2, m, n, k: [1, 7, 40][t % 3], padA: t % 3, padB: (t >> 1) % 2, padC: t % 2 * 2, offset: t % 2 });
    }
  for (let tt = 0; tt < 4; tt++)
    for (const [m, n, k] of [[37, 41, 300], [130, 67, 290], [128, 10, 64], [5, 200, 600]])
      out.push({ transA: (tt & 1) === 1, transB: (tt & 2) === 2, m, n, k, padA: 2, padB: 1, padC: 3, beta: 0.5, offset: 1 });
  // narrow outputs (n <= 12: avx2's 16-row and avx512's 32-row kernels, lanes along M) around 16 and 32 rows, with
  // every epilogue kind, both transposes and unaligned views
  let u = 0;
  for (const n of [1, 2, 5, 10, 12])
    for (const m of [15, 16, 17, 31, 32, 33, 65]) {
      u++;
      const activation: Activation = (['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh'] as const)[u % 5];
      out.push({ transA: (u & 1) === 1, transB: (u & 2) === 2, m, n, k: [1, 5, 64][u % 3], padA: u % 2, padC: 1,
        beta: [0, 1, 0.5][u % 3], bias: u % 2 === 0, activation, leakyAlpha: 0.1, offset: u % 2 });
    }
  // large enough for the packed-A path (A > 512K floats, A^T > 128K, n > 2 NR) and several MC blocks
  out.push({ transA: false, transB: false, m: 600, n: 35, k: 880, padA: 1, offset: 1, bias: true, activation: 'relu' });
  out.push({ transA: true, transB: true, m: 160, n: 37, k: 850, padB: 3, beta: 1 });
  out.push({ transA: true, transB: false, m: 170, n: 70, k: 800, padA: 1, offset: 1, bias: true, activation: 'leakyRelu', leakyAlpha: 0.2 });
  return out;
}

function epilogueCases(): Case[] {
  const out: Case[] = [];
  const acts: Activation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];
  for (const activation of acts)
    for (const k of [0, 9, 70])
      for (const [alpha, beta] of [[1, 0], [-0.5, 1], [0, 0.25], [2, 0.5]])
        out.push({ transA: k === 9, transB: k === 70, m: 13, n: 35, k, alpha, beta, bias: alpha !== 2, activation, leakyAlpha: 0.2, offset: 1 });
  return out;
}

const ALL_CASES = [...tileCases(), ...epilogueCases()];

describe('gemm TS twin', () => {
  it('matches the float64 reference on every case', () => {
    for (const cs of ALL_CASES) {
      const bt = build(cs);
      ref.gemm(bt.args);
      expectMatches(bt, describeCase(cs, 'ts'));
    }
  });

  it('public gemm on the js backend uses the twin and applies defaults', () => {
    const before = getBackend();
    setBackend('js');
    try {
      const a = new Float32Array([1, 2, 3, 4, 5, 6]); // 2x3
      const b = new Float32Array([1, 0, 0, 1, 1, 1]); // 3x2
      const c = new Float32Array(4).fill(NaN);
      expect(pub.gemm({ m: 2, n: 2, k: 3, a, b, c })).toBe(c);
      expect(Array.from(c)).toEqual([4, 5, 10, 11]);
    } finally {
      setBackend(before);
    }
  });
});

describe.runIf(native)('gemm native on every ISA', () => {
  const isas = testedIsas();

  for (const isa of isas) {
    it(`[${isa}] matches float64 and the TS twin, 1 and 2 threads`, () => {
      native!.setIsa(isa);
      for (const cs of ALL_CASES) {
        for (const threads of [1, 2]) {
          const bt = build(cs);
          nat.gemmThreads(bt.args, threads);
          const tol = expectMatches(bt, describeCase(cs, isa, ` threads=${threads}`));
          // the twin on identical inputs agrees within twice the float64 bound (both err on either side of it)
          const twinC = bt.c0.slice();
          ref.gemm({ ...bt.args, c: twinC });
          for (let i = 0; i < cs.m; i++)
            for (let j = 0; j < cs.n; j++) {
              const x = bt.args.c[i * bt.ldc + j], y = twinC[i * bt.ldc + j];
              if (!(Math.abs(x - y) <= 2 * tol[i * cs.n + j]))
                expect.fail(`${describeCase(cs, isa)} C[${i},${j}] native ${x} twin ${y}`);
            }
        }
      }
    });

    it(`[${isa}] the public API runs native and returns c`, () => {
      native!.setIsa(isa);
      const cs: Case = { transA: false, transB: true, m: 9, n: 21, k: 33, bias: true, activation: 'relu', offset: 1 };
      const bt = build(cs);
      expect(pub.gemm(bt.args)).toBe(bt.args.c);
      expectMatches(bt, describeCase(cs, isa));
      const bt2 = build(cs);
      expect(pub.gemmThreads(bt2.args, 2)).toBe(bt2.args.c);
      expectMatches(bt2, describeCase(cs, isa, ' public threads=2'));
    });
  }

  it('fmaPeak reports a positive GFLOP/s figure', () => {
    const g = pub.fmaPeak(20, 1);
    expect(g).toBeGreaterThan(0);
    expect(Number.isFinite(g)).toBe(true);
    expect(nat.fmaPeak(20, 0)).toBeGreaterThan(0);
  });
});

// ---- bad input: coded TypeError/RangeError, never a crash ----

function good(): GemmArgs {
  return { m: 3, n: 4, k: 5, a: new Float32Array(15), b: new Float32Array(20), c: new Float32Array(12) };
}

function detached(len: number): Float32Array {
  const buf = new ArrayBuffer(len * 4);
  const v = new Float32Array(buf);
  structuredClone(buf, { transfer: [buf] });
  return v;
}

type Mut = [string, (g: GemmArgs) => void, typeof TypeError | typeof RangeError, string];
const BAD: Mut[] = [
  ['a is a Float64Array', (g) => { (g as any).a = new Float64Array(15); }, TypeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['b is an Array', (g) => { (g as any).b = new Array(20).fill(0); }, TypeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['c is missing', (g) => { (g as any).c = undefined; }, TypeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['bias is an Int32Array', (g) => { (g as any).bias = new Int32Array(4); }, TypeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['a too short', (g) => { g.a = new Float32Array(14); }, RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
  ['b too short for ldb', (g) => { g.ldb = 6; }, RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
  ['c too short for ldc', (g) => { g.ldc = 5; }, RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
  ['c view too short', (g) => { g.c = new Float32Array(13).subarray(2); }, RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
  ['bias too short', (g) => { g.bias = new Float32Array(3); }, RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
  ['lda below the row length', (g) => { g.lda = 4; }, RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['transposed a too short', (g) => { g.transA = true; g.lda = 3; g.a = new Float32Array(14); }, RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
  ['negative m', (g) => { g.m = -1; }, RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['fractional n', (g) => { g.n = 2.5; }, RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['NaN k', (g) => { g.k = NaN; }, RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['string m', (g) => { (g as any).m = '3'; }, TypeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['NaN alpha', (g) => { g.alpha = NaN; }, RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['infinite beta', (g) => { g.beta = Infinity; }, RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['unknown activation', (g) => { (g as any).activation = 'gelu'; }, TypeError, 'SIMDNET_INVALID_ARGUMENT'],
  ['a detached', (g) => { g.a = detached(15); }, TypeError, 'SIMDNET_DETACHED_BUFFER'],
  ['c detached', (g) => { g.c = detached(12); }, TypeError, 'SIMDNET_DETACHED_BUFFER'],
];

function expectCoded(fn: () => unknown, type: typeof TypeError | typeof RangeError, code: string, label: string): void {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `${label}: nothing thrown`).toBeInstanceOf(type);
  expect((err as { code?: string }).code, label).toBe(code);
}

describe('gemm rejects bad input with coded errors', () => {
  it('sanity: the unmodified arguments are accepted', () => {
    expect(pub.gemm(good())).toBeInstanceOf(Float32Array);
  });

  for (const [what, mutate, type, code] of BAD) {
    it(`public gemm/gemmThreads: ${what}`, () => {
      const g = good();
      mutate(g);
      expectCoded(() => pub.gemm(g), type, code, `public ${what}`);
      expectCoded(() => pub.gemmThreads(g, 1), type, code, `public threads ${what}`);
    });
    it.runIf(native)(`native wrapper: ${what}`, () => {
      const g = good();
      mutate(g);
      expectCoded(() => nat.gemm(g), type, code, `native ${what}`);
      expectCoded(() => nat.gemmThreads(g, 2), type, code, `native threads ${what}`);
    });
  }

  it('bad args objects and thread counts', () => {
    expectCoded(() => pub.gemm(null as unknown as GemmArgs), TypeError, 'SIMDNET_INVALID_ARGUMENT', 'null args');
    expectCoded(() => pub.gemmThreads(good(), -1), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'threads -1');
    expectCoded(() => pub.gemmThreads(good(), 1.5), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'threads 1.5');
    expectCoded(() => pub.gemmThreads(good(), 5000), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'threads 5000');
    expectCoded(() => pub.fmaPeak(-1, 1), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'fmaPeak ms -1');
    expectCoded(() => pub.fmaPeak(10, NaN), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'fmaPeak threads NaN');
    if (native) {
      expectCoded(() => nat.gemm(undefined as unknown as GemmArgs), TypeError, 'SIMDNET_INVALID_ARGUMENT', 'native undefined args');
      expectCoded(() => nat.gemmThreads(good(), -2), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'native threads -2');
      expectCoded(() => nat.gemmThreads(good(), 2000), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'native threads 2000');
      expectCoded(() => nat.fmaPeak(0, 1), RangeError, 'SIMDNET_INVALID_ARGUMENT', 'native fmaPeak ms 0');
      expectCoded(() => nat.fmaPeak(10, 'x' as unknown as number), TypeError, 'SIMDNET_INVALID_ARGUMENT', 'native fmaPeak threads x');
      // the raw binding: missing arguments and a wrong act code
      expectCoded(() => native!.gemm(), TypeError, 'SIMDNET_INVALID_ARGUMENT', 'raw no args');
      const g = good();
      expectCoded(() => native!.gemm(false, false, 3, 4, 5, 1, g.a, 5, g.b, 4, 0, g.c, 4, null, 7, 0.01, 1), RangeError,
        'SIMDNET_INVALID_ARGUMENT', 'raw act 7');
    }
  });
});
