/**
 * Pure-TS twin of the losses (native/src/kernels/loss/loss.h), float64 math. Each returns the batch-mean loss and,
 * when grad is non-null, writes d(loss)/d(input) already divided by the batch (grad may alias p/z). Probability
 * losses clip to the float32 bounds [eps, fround(1 - eps)] (Keras in float32) with a zero gradient where the clip is
 * active; categorical CE renormalises rows first. softmaxCce's gradient is (p * sum(t) - t) / (T m), i.e. (p - t)/(T m)
 * for rows of t that sum to 1. An empty batch (m or n = 0) gives NaN; an out-of-range sparse label gives NaN and a NaN
 * gradient row (the public API rejects such labels first). Every loss takes optional per-sample weights w (m values,
 * null = unweighted): loss = sum_r w_r l_r / m (Keras 3 'sum_over_batch_size'), row r's gradient scaled by w_r.
 */
const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

export function mse(m: number, n: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  const total = m * n;
  if (total === 0) return NaN;
  let acc = 0;
  for (let i = 0; i < total; i++) {
    const d = p[i] - t[i], wi = w ? w[(i / n) | 0] : 1;
    acc += wi * d * d;
    if (grad) grad[i] = (2 * d * wi) / total;
  }
  return acc / total;
}

export function bceProb(m: number, n: number, eps: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  const total = m * n;
  if (total === 0) return NaN;
  const lo = Math.fround(eps), hi = Math.fround(1 - lo);
  let acc = 0;
  for (let i = 0; i < total; i++) {
    const pi = p[i], ti = t[i], pc = clamp(pi, lo, hi), wi = w ? w[(i / n) | 0] : 1;
    acc += wi * (ti * Math.log(pc) + (1 - ti) * Math.log(1 - pc));
    if (grad) grad[i] = pi < lo || pi > hi ? 0 : ((pc - ti) / (pc * (1 - pc)) / total) * wi;
  }
  return -acc / total;
}

export function bceLogits(m: number, n: number, t: Float32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  const total = m * n;
  if (total === 0) return NaN;
  let acc = 0;
  for (let i = 0; i < total; i++) {
    const zi = z[i], ti = t[i], e = Math.exp(-Math.abs(zi)), wi = w ? w[(i / n) | 0] : 1;
    acc += wi * ((zi > 0 ? zi : 0) - zi * ti + Math.log1p(e));
    if (grad) grad[i] = (((zi >= 0 ? 1 / (1 + e) : e / (1 + e)) - ti) / total) * wi;
  }
  return acc / total;
}

export function cceProb(m: number, n: number, eps: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  if (m === 0 || n === 0) return NaN;
  const lo = Math.fround(eps), hi = Math.fround(1 - lo);
  let acc = 0;
  for (let r = 0; r < m; r++) {
    const o = r * n, wr = w ? w[r] : 1;
    let s = 0;
    for (let j = 0; j < n; j++) s += p[o + j];
    let dot = 0; // sum_j g_j q_j, g_j = dL/dq_j
    for (let j = 0; j < n; j++) {
      const q = p[o + j] / s, qc = clamp(q, lo, hi);
      acc += wr * t[o + j] * Math.log(qc);
      if (grad) {
        const g = q < lo || q > hi ? 0 : -t[o + j] / qc;
        dot += g * q;
        grad[o + j] = g; // p is not needed again (grad may alias p); g is rounded to float here, as in native
      }
    }
    if (grad) for (let j = 0; j < n; j++) grad[o + j] = ((grad[o + j] - dot) / s / m) * wr;
  }
  return -acc / m;
}

function rowMax(n: number, z: Float32Array, o: number): number {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = z[o + j];
    if (v > mx || v !== v) mx = v;
    if (mx !== mx) break;
  }
  return mx;
}

export function softmaxCce(m: number, n: number, temperature: number, t: Float32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  if (m === 0 || n === 0) return NaN;
  const invT = 1 / Math.fround(temperature);
  let acc = 0;
  const e = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    const o = r * n;
    const mx = rowMax(n, z, o);
    let sumE = 0, sumT = 0, sumTU = 0;
    for (let j = 0; j < n; j++) {
      const u = (z[o + j] - mx) * invT;
      e[j] = Math.exp(u);
      sumE += e[j];
      sumT += t[o + j];
      if (t[o + j] !== 0) sumTU += t[o + j] * u; // skip 0 * -inf
    }
    const wr = w ? w[r] : 1;
    acc += wr * (sumT * Math.log(sumE) - sumTU);
    if (grad) for (let j = 0; j < n; j++) grad[o + j] = (((e[j] / sumE) * sumT - t[o + j]) * invT / m) * wr;
  }
  return acc / m;
}

export function sparseSoftmaxCce(m: number, n: number, temperature: number, labels: Int32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  if (m === 0 || n === 0) return NaN;
  const invT = 1 / Math.fround(temperature);
  let acc = 0;
  const e = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    const o = r * n, l = labels[r];
    if (!(l >= 0 && l < n)) {
      acc = NaN;
      if (grad) grad.fill(NaN, o, o + n);
      continue;
    }
    const mx = rowMax(n, z, o);
    let sumE = 0;
    for (let j = 0; j < n; j++) {
      e[j] = Math.exp((z[o + j] - mx) * invT);
      sumE += e[j];
    }
    const wr = w ? w[r] : 1;
    acc += wr * (Math.log(sumE) - (z[o + l] - mx) * invT);
    if (grad) for (let j = 0; j < n; j++) grad[o + j] = ((e[j] / sumE - (j === l ? 1 : 0)) * invT / m) * wr;
  }
  return acc / m;
}

/** The element-wise losses of loss.h's `elementwise` entry (Keras 3.15 definitions; lib/losses/index.ts names them). */
export type ElemLossKind = 'mae' | 'huber' | 'logCosh' | 'hinge' | 'squaredHinge' | 'kld' | 'poisson';

const sign0 = (e: number) => (e > 0 ? 1 : e < 0 ? -1 : e); // 0 at 0 (TF's abs gradient); NaN stays NaN
const LOG2 = Math.log(2);

/** Per-element loss and unscaled d/dp of one kind; `a`, `b` map hinge labels t' = a t + b. */
function elemOp(kind: ElemLossKind, c: number, a: number, b: number): (t: number, p: number, g: Float64Array) => number {
  switch (kind) {
    case 'mae': return (t, p, g) => { g[0] = sign0(p - t); return Math.abs(p - t); };
    case 'huber': return (t, p, g) => {
      const e = p - t, ae = Math.abs(e);
      if (!(ae > c)) { g[0] = e; return 0.5 * e * e; } // |e| <= delta (NaN too)
      g[0] = c * sign0(e);
      return c * ae - 0.5 * c * c;
    };
    case 'logCosh': return (t, p, g) => {
      const e = p - t, ae = Math.abs(e);
      g[0] = Math.tanh(e);
      return ae + Math.log1p(Math.exp(-2 * ae)) - LOG2;
    };
    case 'hinge': return (t, p, g) => {
      const ts = a * t + b, x = 1 - ts * p;
      g[0] = x >= 0 ? -ts : x === x ? 0 : x; // TF's maximum sends a tie to its first operand
      return x > 0 ? x : x === x ? 0 : x;
    };
    case 'squaredHinge': return (t, p, g) => {
      const ts = a * t + b, x = 1 - ts * p, h = x > 0 ? x : x === x ? 0 : x;
      g[0] = -2 * ts * h;
      return h * h;
    };
    case 'kld': return (t, p, g) => {
      const tc = clamp(t, c, 1), pc = clamp(p, c, 1);
      g[0] = p < c || p > 1 ? 0 : -tc / pc;
      return tc * Math.log(tc / pc);
    };
    case 'poisson': return (t, p, g) => {
      g[0] = 1 - t / (p + c);
      return p - t * Math.log(p + c);
    };
  }
}

/**
 * Element-wise loss over m x n (loss.h): per-sample mean over the n outputs (kld: the sum), reduced as Keras's
 * 'sum_over_batch_size' with per-sample weights w (null = all 1): sum_r w_r l_r / m; grad row r scaled by w_r / m.
 * param: huber's delta, kld's/poisson's eps (as a float32), ignored by the others.
 */
export function elementwise(kind: ElemLossKind, m: number, n: number, param: number, t: Float32Array, p: Float32Array,
  w: Float32Array | null, grad: Float32Array | null): number {
  if (m === 0 || n === 0) return NaN;
  const c = Math.fround(param);
  let a = 1, b = 0;
  if (kind === 'hinge' || kind === 'squaredHinge') {
    let bin = true; // Keras's convert_binary_labels_to_hinge: all labels 0 or 1 -> 2t - 1
    for (let i = 0; i < m * n && bin; i++) bin = t[i] === 0 || t[i] === 1;
    if (bin) { a = 2; b = -1; }
  }
  const op = elemOp(kind, c, a, b);
  const inv = 1 / (m * (kind === 'kld' ? 1 : n));
  const g = new Float64Array(1);
  let acc = 0;
  for (let r = 0; r < m; r++) {
    const wr = w ? w[r] : 1;
    let row = 0;
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      row += op(t[i], p[i], g);
      if (grad) grad[i] = g[0] * wr * inv;
    }
    acc += wr * row;
  }
  return acc * inv;
}
