import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { shuffleStream, shuffledOrder, shuffledOrderTs } from '../../lib/models/shuffle.js';

describe('fit sample order', () => {
  it('is a permutation that depends on seed and stream', () => {
    const a = shuffledOrderTs(1000, 7, shuffleStream(0, 0));
    expect([...a].sort((p, q) => p - q)).toEqual([...Array(1000).keys()]);
    expect(a).not.toEqual(shuffledOrderTs(1000, 7, shuffleStream(0, 1)));
    expect(a).not.toEqual(shuffledOrderTs(1000, 8, shuffleStream(0, 0)));
  });

  it.runIf(native)('native and TS orders are identical', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 101, 60000]) {
      for (const [seed, stream] of [[0, 0], [1, shuffleStream(3, 2)], [2 ** 53 - 1, 12345]]) {
        expect(shuffledOrder(n, seed, stream)).toEqual(shuffledOrderTs(n, seed, stream));
      }
    }
  });

  it.runIf(native)('the binding checks its arguments', () => {
    expect(() => native!.shuffledOrder(4, 1, 1, new Uint32Array(3))).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => native!.shuffledOrder(4, -1, 1, new Uint32Array(4))).toThrow(RangeError);
    expect(() => native!.shuffledOrder(4, 1, 1, new Int32Array(4))).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });
});
