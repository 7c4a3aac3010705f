/**
 * Input forms (issue 12): nested numbers, arrays of typed-array rows, Float64Array, Uint8Array/Uint8ClampedArray
 * (values as they are: no scaling), Int32Array/Uint8Array labels for the sparse loss. Every form of the same values
 * gives the same matrix, through the synchronous converter (toMatrix) and the sliced one (toMatrixAsync), and the
 * same training result; a bad element is reported at its position.
 */
import { describe, expect, it } from 'vitest';
import { Sequential, Dense, optimizers, tensor } from '../../lib/index.js';
import { toMatrix } from '../../lib/tensor.js';
import { toMatrixAsync } from '../../lib/models/ingest.js';
import { BACKENDS } from './backends.js';

const R = 300; // 300 x 64 = 19,200 values: more than one slice, so toMatrixAsync takes its sliced path
const C = 64;
const ints = Array.from({ length: R }, (_, i) => Array.from({ length: C }, (_, j) => (i * 7 + j * 13) % 256));
const flat = Float32Array.from(ints.flat());

const forms: [string, unknown][] = [
  ['nested numbers', ints],
  ['Float32Array rows', ints.map((r) => Float32Array.from(r))],
  ['Float64Array rows', ints.map((r) => Float64Array.from(r))],
  ['Uint8Array rows', ints.map((r) => Uint8Array.from(r))],
  ['Float64Array', Float64Array.from(flat)],
  ['Uint8Array', Uint8Array.from(flat)],
  ['Uint8ClampedArray', Uint8ClampedArray.from(flat)],
  ['Int32Array', Int32Array.from(flat)],
  ['Float32Array', flat],
];

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}
function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('input forms', () => {
  it.each(forms)('%s converts to the same float32 matrix, sync and sliced', async (_name, x) => {
    const m = toMatrix(x, 'x', C);
    expect([m.rows, m.cols]).toEqual([R, C]);
    expect(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).equals(Buffer.from(flat.buffer))).toBe(true);
    const a = await toMatrixAsync(x, 'x', C);
    expect(Array.from(a.data)).toEqual(Array.from(flat));
  });

  it('deeper nesting and typed rows inside it flatten trailing dimensions; tensor() takes typed rows', () => {
    const img = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
    expect(Array.from(toMatrix(img, 'x', 4).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const typed = [[Float32Array.of(1, 2), Float32Array.of(3, 4)], [Int32Array.of(5, 6), Uint8Array.of(7, 8)]];
    expect(Array.from(toMatrix(typed, 'x', 4).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(tensor([Float32Array.of(1, 2), Float64Array.of(3, 4)]).shape).toEqual([2, 2]);
  });

  it('names the position of a bad element, sync and sliced', async () => {
    const bad = ints.map((r) => [...r]) as unknown[][];
    bad[250][17] = 'x';
    expect(thrown(() => toMatrix(bad, 'x', C)).message).toContain('x[250][17]');
    const e = await rejection(toMatrixAsync(bad, 'x', C));
    expect(e.code).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(e.message).toContain('x[250][17]');
    const ragged = ints.map((r) => [...r]) as unknown[][];
    ragged[299] = ragged[299].slice(1);
    const r = await rejection(toMatrixAsync(ragged, 'x', C));
    expect(r.code).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(r.message).toContain('x[299]');
    const deep = [[[1, 2], [3, null]]];
    expect(thrown(() => toMatrix(deep, 'x', 4)).message).toContain('x[0][1][1]');
    expect(thrown(() => toMatrix([Float32Array.of(1, 2), Float32Array.of(3)], 'x', 2)).message).toContain('x[1]');
  });
});

describe.each(BACKENDS)('fit on every input form (%s)', (backend) => {
  it('trains to the same weights from each form, with Int32Array / Uint8Array / number[] labels', async () => {
    const labels = Array.from({ length: R }, (_, i) => i % 3);
    const labelForms: unknown[] = [labels, Int32Array.from(labels), Uint8Array.from(labels), Float32Array.from(labels)];
    let ref: number[][] | null = null;
    for (const [i, [name, x]] of forms.entries()) {
      const m = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [C] })]);
      m.compile({ optimizer: optimizers.sgd({ learningRate: 1e-4 }), loss: 'sparseCategoricalCrossentropy', backend, seed: 2 });
      await m.fit(x as Float32Array, labelForms[i % labelForms.length] as Float32Array, { epochs: 1, batchSize: 50, verbose: 0, validationData: [x as Float32Array, labels] });
      const w = m.getWeights().map((t) => Array.from(t.data()));
      if (ref === null) ref = w;
      else expect(w, name).toEqual(ref);
      const p = await m.predictAsync(x as Float32Array);
      expect(p.shape).toEqual([R, 3]);
      const ev = await m.evaluateAsync(x as Float32Array, labelForms[(i + 1) % labelForms.length] as Float32Array);
      expect(Number.isFinite(ev.loss)).toBe(true);
      m.dispose();
    }
  });

  it('a detached typed array is SIMDNET_DETACHED_BUFFER, not "no samples"', async () => {
    const m = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [C] })]);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', backend, seed: 2 });
    for (const x of [Float64Array.from(flat), Uint8Array.from(flat)]) {
      structuredClone(x.buffer, { transfer: [x.buffer] });
      expect((await rejection(m.fit(x, new Int32Array(R), { verbose: 0 }))).code).toBe('SIMDNET_DETACHED_BUFFER');
      expect((await rejection(m.predictAsync(x))).code).toBe('SIMDNET_DETACHED_BUFFER');
    }
    m.dispose();
  });
});
