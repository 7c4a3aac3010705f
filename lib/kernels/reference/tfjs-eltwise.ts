/**
 * Pure-TS twins of the tfjs backend's native element-wise kernels (kernels/ebinary, vunary's map, kernels/argreduce,
 * kernels/tfoptim; bound in addon/ops-tfjs.cc), same arguments and semantics, written from tfjs-backend-cpu's JS:
 * each op computed in double and stored to float32 once. Used to test the native kernels on every ISA
 * (test/tfjs/twins.test.ts) and as their readable specification; not part of the public `simdnet/kernels` API.
 * Where float32 and double differ (exp, log, expm1, FMA in affineRows) the native kernels are a few ulp away.
 * Native-only difference: the addon's FTZ/DAZ guard flushes subnormals (these twins keep them).
 */

/** BinOp codes of kernels/ebinary/ebinary.h. */
export const BIN_OP = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, sqdiff: 6, prelu: 7 } as const;
/** Operand modes: full (m*n elements), row (n, repeated over the m rows), scalar (1). */
export const OPERAND = { full: 0, row: 1, scalar: 2 } as const;
/** Umap codes of kernels/vunary/vunary.h. */
export const UMAP = {
  relu6: 0, elu: 1, selu: 2, step: 3, exp: 4, log: 5, sqrt: 6, rsqrt: 7, square: 8, neg: 9, abs: 10, clip: 11,
} as const;

const SELU_SCALE = 1.0507009873554804934193349852946, SELU_SCALEALPHA = 1.7580993408473768599402175208123;

function binOp(op: number, a: number, b: number): number {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return Math.max(a, b);
    case 5: return Math.min(a, b);
    case 6: { const d = Math.fround(a - b); return d * d; }
    case 7: return a < 0 ? b * a : a;
    default: throw new Error(`unknown binary op ${op}`);
  }
}

const at = (mode: number, r: number, n: number, j: number) => (mode === 0 ? r * n + j : mode === 1 ? j : 0);

/** y[r*n + j] = op(A(r, j), B(r, j)) (ebinary.h). */
export function elementwiseBinary(op: number, m: number, n: number, a: Float32Array, aMode: number, b: Float32Array,
                                  bMode: number, y: Float32Array): Float32Array {
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) y[r * n + j] = binOp(op, a[at(aMode, r, n, j)], b[at(bMode, r, n, j)]);
  }
  return y;
}

/** y[r*n + j] = (x[r*n + j] - mean[j]) * scale[j] + offset[j]. */
export function affineRows(m: number, n: number, x: Float32Array, mean: Float32Array, scale: Float32Array,
                           offset: Float32Array, y: Float32Array): Float32Array {
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) y[r * n + j] = (x[r * n + j] - mean[j]) * scale[j] + offset[j];
  }
  return y;
}

function umap(op: number, p0: number, p1: number, v: number): number {
  switch (op) {
    case 0: return Math.min(Math.max(0, v), 6);
    case 1: return v >= 0 ? v : Math.expm1(v);
    case 2: return v >= 0 ? SELU_SCALE * v : SELU_SCALEALPHA * Math.expm1(v);
    case 3: return Number.isNaN(v) ? NaN : v > 0 ? 1 : p0;
    case 4: return Math.exp(v);
    case 5: return Math.log(v);
    case 6: return Math.sqrt(v);
    case 7: return 1 / Math.sqrt(v);
    case 8: return v * v;
    case 9: return -1 * v;
    case 10: return Math.abs(v);
    case 11: return v > p1 ? p1 : v < p0 ? p0 : v;
    default: throw new Error(`unknown unary op ${op}`);
  }
}

/** y[i] = f(x[i]) for vunary's map op (p0: step's alpha or clip's min; p1: clip's max). */
export function unaryMap(op: number, p0: number, p1: number, n: number, x: Float32Array, y: Float32Array): Float32Array {
  const q0 = Math.fround(p0), q1 = Math.fround(p1);
  for (let i = 0; i < n; i++) y[i] = umap(op, q0, q1, x[i]);
  return y;
}

/**
 * Max (extreme 0) / Min (1) values and ArgMax/ArgMin indices along rows (last axis) or columns (axis 0): tfjs's loops
 * (value: NaN if any element is NaN; index: strictly better than the running best, which starts at the first element).
 */
export function argReduce(alongRows: boolean, extreme: number, m: number, n: number, x: Float32Array,
                          vals: Float32Array | null, idx: Int32Array | null): void {
  const better = extreme === 0 ? (u: number, b: number) => u > b : (u: number, b: number) => u < b;
  const outs = alongRows ? m : n, count = alongRows ? n : m, stride = alongRows ? 1 : n;
  for (let o = 0; o < outs; o++) {
    const base = alongRows ? o * n : o;
    let v = x[base], best = x[base], pos = 0;
    for (let i = 0; i < count; i++) {
      const u = x[base + i * stride];
      if (Number.isNaN(u) || better(u, v)) v = u;
      if (better(u, best)) { best = u; pos = i; }
    }
    if (vals !== null) vals[o] = v;
    if (idx !== null) idx[o] = pos;
  }
}

const f = Math.fround;

/** tfjs's AdagradOptimizer step (tfoptim.h), out of place. */
export function tfjsAdagrad(n: number, lr: number, eps: number, w: Float32Array, g: Float32Array, acc: Float32Array,
                            wOut: Float32Array, accOut: Float32Array): void {
  const e = f(eps), negLr = f(-lr);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const a = f(acc[i] + f(gi * gi));
    const q = f(gi / f(Math.sqrt(f(a + e))));
    const wi = f(f(q * negLr) + w[i]);
    accOut[i] = a;
    wOut[i] = wi;
  }
}

/** tfjs's RMSPropOptimizer step (tfoptim.h), out of place; mg/mgOut only when centered. */
export function tfjsRmsprop(n: number, lr: number, decay: number, omd: number, momentum: number, eps: number,
                            centered: boolean, w: Float32Array, g: Float32Array, ms: Float32Array,
                            mg: Float32Array | null, mom: Float32Array, wOut: Float32Array, msOut: Float32Array,
                            mgOut: Float32Array | null, momOut: Float32Array): void {
  const d = f(decay), o = f(omd), l = f(lr), mu = f(momentum), e = f(eps);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const s = f(f(ms[i] * d) + f(f(gi * gi) * o));
    const num = f(gi * l);
    let c: number;
    if (centered) {
      const a = f(f(mg![i] * d) + f(gi * o));
      c = f(num / f(Math.sqrt(f(s - f(f(a * a) + e)))));
      mgOut![i] = a;
    } else {
      c = f(num / f(Math.sqrt(f(s + e))));
    }
    const m = f(f(mom[i] * mu) + c);
    const wi = f(w[i] - m);
    msOut[i] = s;
    momOut[i] = m;
    wOut[i] = wi;
  }
}
