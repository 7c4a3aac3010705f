/**
 * Pure-TS twin of the reductions (native/src/kernels/reduce/reduce.h), float64 accumulation:
 * colSum (bias gradient; accumulate adds to out), rowArgmax (first maximum; a NaN counts as the largest, so the first
 * NaN wins; n = 0 gives -1), sum, sumSquares, mean (NaN for n = 0).
 */
export function colSum(m: number, n: number, x: Float32Array, ldx: number, accumulate: boolean, out: Float32Array): Float32Array {
  for (let j = 0; j < n; j++) {
    let s = accumulate ? out[j] : 0;
    for (let r = 0; r < m; r++) s += x[r * ldx + j];
    out[j] = s;
  }
  return out;
}

export function rowArgmax(m: number, n: number, x: Float32Array, ldx: number, out: Int32Array): Int32Array {
  for (let r = 0; r < m; r++) {
    const o = r * ldx;
    let best = n > 0 ? 0 : -1;
    for (let j = 1; j < n; j++) {
      const b = x[o + best], v = x[o + j];
      if (b !== b) break;
      if (v > b || v !== v) best = j;
    }
    out[r] = best;
  }
  return out;
}

export function sum(n: number, x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  return s;
}

export function sumSquares(n: number, x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

export function mean(n: number, x: Float32Array): number {
  return n === 0 ? NaN : sum(n, x) / n;
}

export function firstNonFinite(n: number, x: Float32Array, copy: Float32Array | null): number {
  let bad = -1;
  for (let i = 0; i < n; i++) {
    if (bad < 0 && !Number.isFinite(x[i])) {
      bad = i;
      if (copy === null) return bad;
    }
  }
  if (copy !== null) copy.set(x.subarray(0, n));
  return bad;
}
