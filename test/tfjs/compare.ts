// Runs the same tfjs op on 'cpu' and on 'simdnet' and compares the results element by element.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Result of `f` on backend `name`, as a plain array (the tensors it made are disposed). */
export function on(name: string, f: () => tf.Tensor): { shape: number[]; dtype: string; values: Float32Array | Int32Array | Uint8Array } {
  const prev = tf.getBackend();
  tf.setBackend(name);
  try {
    return tf.tidy(() => {
      const t = f();
      return { shape: t.shape, dtype: t.dtype, values: t.dataSync() as Float32Array };
    });
  } finally {
    tf.setBackend(prev);
  }
}

/**
 * `f` on simdnet equals `f` on cpu: same shape and dtype, NaN where cpu has NaN, the same infinities, finite values
 * within rtol relative to max(|cpu|, scale) where scale is the largest |cpu| value times `scaleFrac` (sums whose terms
 * cancel are compared relative to their terms' size, not to the tiny sum).
 */
export function expectSameAsCpu(f: () => tf.Tensor, rtol = 1e-6, what = '', scaleFrac = 0): void {
  const c = on('cpu', f), s = on('simdnet', f);
  expect(s.shape, what).toEqual(c.shape);
  expect(s.dtype, what).toBe(c.dtype);
  let scale = 0;
  for (const v of c.values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  scale *= scaleFrac;
  for (let i = 0; i < c.values.length; i++) {
    const cv = c.values[i], sv = s.values[i];
    if (!Number.isFinite(cv)) {
      expect(Object.is(sv, cv) || (Number.isNaN(cv) && Number.isNaN(sv)), `${what} [${i}]: simdnet ${sv}, cpu ${cv}`).toBe(true);
    } else {
      const tol = rtol * Math.max(Math.abs(cv), scale) + 1e-30;
      expect(Math.abs(sv - cv) <= tol, `${what} [${i}]: simdnet ${sv}, cpu ${cv}`).toBe(true);
    }
  }
}
