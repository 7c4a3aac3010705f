import { describe, expect, it } from 'vitest';
import { Tensor, tensor, toMatrix } from '../../lib/tensor.js';
import { codeOf } from '../models/backends.js';

describe('tensor()', () => {
  it('builds from nested arrays, inferring the shape', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('builds from a Float32Array with a shape and copies the data', () => {
    const src = new Float32Array([1, 2, 3, 4]);
    const t = tensor(src, [2, 2]);
    src[0] = 99;
    expect(t.data()[0]).toBe(1);
    const d = t.data();
    d[1] = 42;
    expect(t.data()[1]).toBe(2); // data() is a copy
  });

  it('rejects ragged arrays, non-numbers and shape mismatches with codes', () => {
    expect(codeOf(() => tensor([[1, 2], [3]]))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(codeOf(() => tensor([[1, 'a' as unknown as number]]))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => tensor(new Float32Array(5), [2, 2]))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(codeOf(() => tensor(new Float32Array(4), [2, -2]))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => tensor('abc' as unknown as number[]))).toBe('SIMDNET_INVALID_ARGUMENT');
  });

  it('throws SIMDNET_DISPOSED after dispose()', () => {
    const t = tensor([[1, 2]]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(codeOf(() => t.data())).toBe('SIMDNET_DISPOSED');
    expect(codeOf(() => toMatrix(t, 'x', 2))).toBe('SIMDNET_DISPOSED');
  });

  it('toMatrix checks the row length and flattens trailing dimensions', () => {
    expect(toMatrix(new Tensor(new Float32Array(12), [3, 2, 2]), 'x', 4)).toMatchObject({ rows: 3, cols: 4 });
    expect(codeOf(() => toMatrix([[1, 2, 3]], 'x', 2))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(toMatrix([0, 1, 1], 'y', 1)).toMatchObject({ rows: 3, cols: 1 });
    expect(codeOf(() => toMatrix(new Float32Array(5), 'x', 2))).toBe('SIMDNET_SHAPE_MISMATCH');
  });
});
