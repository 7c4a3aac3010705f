import { describe, expect, it } from 'vitest';
import { createRng, permutation, shuffle, oneHot, trainTestSplit, validationSplit, fitMinMax, fitStandardize } from '../../lib/data/transforms.js';
import { type Dataset, checkDataset, take, classCounts } from '../../lib/data/dataset.js';

function toy(n: number, features = 2, numClasses = 3): Dataset {
  const x = new Float32Array(n * features).map((_, i) => i);
  const labels = new Int32Array(n).map((_, i) => i % numClasses);
  return { x, labels, n, features, numClasses };
}

describe('seeded shuffling', () => {
  it('is a deterministic permutation that depends on the seed', () => {
    const a = permutation(1000, 42);
    expect(Array.from(permutation(1000, 42))).toEqual(Array.from(a));
    expect(Array.from(permutation(1000, 43))).not.toEqual(Array.from(a));
    expect(Array.from(a).sort((p, q) => p - q)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    let fixed = 0;
    a.forEach((v, i) => (fixed += v === i ? 1 : 0));
    expect(fixed).toBeLessThan(10); // a random permutation has ~1 fixed point
    expect(permutation(0, 1).length).toBe(0);
    expect(Array.from(permutation(1, 1))).toEqual([0]);
  });

  it('mulberry32 matches its published first outputs for seed 0 and looks uniform', () => {
    const r = createRng(0);
    // Reference values from the gist's form of mulberry32 (`t = a += 0x6D2B79F5; ...; return (t ^ t >>> 14) >>> 0`), seed 0.
    expect([r(), r(), r()]).toEqual([1144304738, 1416247, 958946056]);
    const r2 = createRng(7);
    const buckets = new Array(8).fill(0);
    for (let i = 0; i < 80000; i++) buckets[r2() >>> 29]++;
    for (const b of buckets) expect(Math.abs(b - 10000)).toBeLessThan(400);
  });

  it('shuffle keeps each sample with its label', () => {
    const ds = toy(50);
    const s = shuffle(ds, 3);
    expect(s.n).toBe(50);
    for (let i = 0; i < s.n; i++) {
      const orig = s.x[i * 2] / 2;
      expect(s.x[i * 2 + 1]).toBe(orig * 2 + 1);
      expect(s.labels[i]).toBe(orig % 3);
    }
    expect(ds.x[0]).toBe(0); // input untouched
  });
});

describe('oneHot', () => {
  it('encodes labels and rejects out-of-range ones', () => {
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    const out = new Float32Array(6).fill(9);
    expect(oneHot(Int32Array.from([1, 1]), 3, out)).toBe(out);
    expect(Array.from(out)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(() => oneHot([3], 3)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT', message: expect.stringMatching(/index 0 but received 3/) }));
    expect(() => oneHot([0.5], 3)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => oneHot([0], 3, new Float32Array(2))).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => oneHot([0], 0)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });
});

describe('splits', () => {
  it('trainTestSplit is seeded, disjoint and complete', () => {
    const ds = toy(101);
    const { train, test } = trainTestSplit(ds, { seed: 5 });
    expect(test.n).toBe(25);
    expect(train.n).toBe(76);
    const seen = new Set<number>();
    for (const part of [train, test]) for (let i = 0; i < part.n; i++) seen.add(part.x[i * 2]);
    expect(seen.size).toBe(101);
    const again = trainTestSplit(ds, { seed: 5 });
    expect(Array.from(again.test.x)).toEqual(Array.from(test.x));
    expect(Array.from(trainTestSplit(ds, { seed: 6 }).test.x)).not.toEqual(Array.from(test.x));
    expect(trainTestSplit(toy(2), { testFraction: 0.01 }).test.n).toBe(1);
    expect(() => trainTestSplit(ds, { testFraction: 1 })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => trainTestSplit(toy(1))).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });

  it('stratified split keeps class proportions and mixes classes', () => {
    const ds = toy(300, 1, 3);
    const { train, test } = trainTestSplit(ds, { seed: 1, testFraction: 0.2, stratify: true });
    expect(classCounts(test)).toEqual([20, 20, 20]);
    expect(classCounts(train)).toEqual([80, 80, 80]);
    // Largest remainder: 10 classes of 10 at 0.25 -> quotas 2.5 each, total round(25) = 25 exactly.
    const uneven = trainTestSplit(toy(100, 1, 10), { seed: 2, testFraction: 0.25, stratify: true });
    expect(uneven.test.n).toBe(25);
    for (const c of classCounts(uneven.test)) expect([2, 3]).toContain(c);
    const firstTen = Array.from(test.labels.subarray(0, 10));
    expect(new Set(firstTen).size).toBeGreaterThan(1);
  });

  it('validationSplit takes the last fraction, like Keras', () => {
    const { train, validation } = validationSplit(toy(10), 0.25);
    expect(train.n).toBe(8);
    expect(validation.n).toBe(2);
    expect(Array.from(validation.x)).toEqual([16, 17, 18, 19]);
  });

  it('take and checkDataset validate', () => {
    expect(() => take(toy(3), [3])).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => checkDataset({ ...toy(3), n: 4 })).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    const bad = toy(3);
    bad.labels[1] = 7;
    expect(() => checkDataset(bad)).toThrow(/labels\[1\] = 7/);
    expect(checkDataset(toy(3)).n).toBe(3);
  });
});

describe('scaling', () => {
  const x = Float32Array.from([1, 10, 3, 10, 5, 10]); // 3 rows x 2 features, second constant

  it('min-max maps the fitted data onto [lo, hi], constant features to lo', () => {
    const s = fitMinMax(x, 2);
    expect(Array.from(s.transform(x))).toEqual([0, 0, 0.5, 0, 1, 0]);
    const s2 = fitMinMax(x, 2, [-1, 1]);
    expect(Array.from(s2.transform(x))).toEqual([-1, -1, 0, -1, 1, -1]);
    // applied to new data with the training statistics
    expect(Array.from(s.transform(Float32Array.from([9, 11])))).toEqual([2, 1]);
    const inPlace = x.slice();
    expect(s.transform(inPlace, inPlace)).toBe(inPlace);
  });

  it('standardize gives zero mean and unit (population) variance', () => {
    const s = fitStandardize(x, 2);
    const y = s.transform(x);
    expect(y[0] + y[2] + y[4]).toBeCloseTo(0, 6);
    expect((y[0] ** 2 + y[2] ** 2 + y[4] ** 2) / 3).toBeCloseTo(1, 6);
    expect(y[1]).toBe(0);
    expect(y[0]).toBeCloseTo(-Math.sqrt(1.5), 6);
  });

  it('rejects mismatched shapes', () => {
    expect(() => fitMinMax(x, 4)).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => fitStandardize(new Float32Array(0), 2)).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => fitMinMax(x, 2).transform(new Float32Array(3))).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => fitMinMax(x, 2, [1, 0])).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });
});
