/**
 * Pure-TS twin of the row softmax (native/src/kernels/softmax/softmax.h), float64 math:
 *   forward  y = exp((x - max)/T) / sum   (a row with a NaN is all NaN; y may alias x)
 *   backward dx = y * (dy - sum(dy*y)) / T (dx may alias dy)
 */
export function softmaxForward(m: number, n: number, temperature: number, x: Float32Array, y: Float32Array): Float32Array {
  if (n === 0) return y;  // empty rows: nothing to do, however many (m may be up to 2^40)
  const invT = 1 / Math.fround(temperature);
  for (let r = 0; r < m; r++) {
    const o = r * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = x[o + j];
      if (v > mx || v !== v) mx = v;
      if (mx !== mx) break;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp((x[o + j] - mx) * invT);
      y[o + j] = e;
      sum += e;
    }
    // y holds exp() rounded to float; recompute in float64 for the final quotient.
    for (let j = 0; j < n; j++) y[o + j] = y[o + j] / sum;
  }
  return y;
}

export function softmaxBackward(m: number, n: number, temperature: number, y: Float32Array, dy: Float32Array, dx: Float32Array): Float32Array {
  if (n === 0) return dx;
  const invT = 1 / Math.fround(temperature);
  for (let r = 0; r < m; r++) {
    const o = r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += dy[o + j] * y[o + j];
    for (let j = 0; j < n; j++) dx[o + j] = y[o + j] * (dy[o + j] - dot) * invT;
  }
  return dx;
}
