/**
 * Metric objects against Keras 3's and scikit-learn's values (test/fixtures/keras-metrics.json, written by
 * tools/fixtures/keras-metrics.py): the same float32 batches of 64 rows, with and without per-sample weights.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classificationReport, confusionMatrix, metrics, type Metric } from '../../lib/index.js';

interface Case { metric: string; args: Record<string, unknown>; data: string; weighted: boolean; keras: number | number[]; sklearn: number | null }
const fx = JSON.parse(readFileSync(new URL('../fixtures/keras-metrics.json', import.meta.url), 'utf8')) as {
  batchSize: number;
  data: Record<string, { yTrue: number[][]; yPred: number[][] }>;
  sampleWeight: number[];
  cases: Case[];
  aucGap: { n: number; curve: 'ROC' | 'PR'; keras: number; sklearn: number; yTrue?: number[]; yPred?: number[] }[];
  confusionMatrix: number[][];
  classificationReport: Record<string, { precision: number; recall: number; 'f1-score': number; support: number } | number>;
};

const factories = metrics as unknown as Record<string, (a: unknown) => Metric>;

function feed(m: Metric, c: { data: string; weighted: boolean }): void {
  const d = fx.data[c.data];
  for (let at = 0; at < d.yTrue.length; at += fx.batchSize) {
    const end = at + fx.batchSize;
    m.updateState(d.yTrue.slice(at, end), d.yPred.slice(at, end), c.weighted ? fx.sampleWeight.slice(at, end) : undefined);
  }
}

// Keras accumulates in float32, we in float64: agreement to ~1e-6 of the value.
const close = (a: number, b: number, tol = 2e-6) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('metric objects match Keras 3 over several batches', () => {
  for (const c of fx.cases) {
    it(`${c.metric}(${JSON.stringify(c.args)}) on ${c.data}${c.weighted ? ', weighted' : ''}`, () => {
      const m = factories[c.metric](c.args);
      feed(m, c);
      if (Array.isArray(c.keras)) {
        const per = (m as metrics.F1Score).resultPerClass();
        expect(per).toHaveLength(c.keras.length);
        per.forEach((v, i) => close(v, (c.keras as number[])[i]));
      } else close(m.result(), c.keras);
      if (c.sklearn !== null) {
        // AUC by 200 thresholds approximates sklearn's exact value (docs/metrics.md); the others are exact.
        close(m.result(), c.sklearn, c.metric === 'auc' ? 2e-3 : 2e-6);
      }
      m.resetState();
      expect(m.result()).toBe(0);
      feed(m, c); // the state starts over after resetState
      if (!Array.isArray(c.keras)) close(m.result(), c.keras);
    });
  }

  it('AUC by thresholds against sklearn\'s exact value on 1000 and 10000 samples', () => {
    for (const g of fx.aucGap) {
      expect(Math.abs(g.keras - g.sklearn)).toBeLessThan(2e-4); // what docs/metrics.md reports
      if (!g.yTrue) continue;
      const m = metrics.auc({ curve: g.curve });
      m.updateState(g.yTrue, g.yPred!);
      close(m.result(), g.keras);
    }
  });
});

describe('confusionMatrix and classificationReport match scikit-learn', () => {
  const d = fx.data.sparse;
  it('confusionMatrix from labels and from scores', () => {
    expect(confusionMatrix(d.yTrue, d.yPred)).toEqual(fx.confusionMatrix);
    expect(confusionMatrix(d.yTrue.map((r) => r[0]), d.yPred, { numClasses: 5 })).toEqual(fx.confusionMatrix);
    expect(confusionMatrix([0, 2], [1, 1], { numClasses: 4 })).toEqual([[0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]);
    expect(() => confusionMatrix([0, 1], [1])).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => confusionMatrix([0, 3], [1, 1], { numClasses: 3 })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => confusionMatrix([0, 0.5], [1, 1])).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });

  it('classificationReport', () => {
    const r = classificationReport(d.yTrue, d.yPred);
    const sk = fx.classificationReport;
    r.classes.forEach((c, i) => {
      const e = sk[String(i)] as { precision: number; recall: number; 'f1-score': number; support: number };
      close(c.precision, e.precision, 1e-12);
      close(c.recall, e.recall, 1e-12);
      close(c.f1, e['f1-score'], 1e-12);
      expect(c.support).toBe(e.support);
    });
    close(r.accuracy, sk.accuracy as number, 1e-12);
    for (const [ours, theirs] of [[r.macroAvg, sk['macro avg']], [r.weightedAvg, sk['weighted avg']]] as const) {
      const t = theirs as { precision: number; recall: number; 'f1-score': number };
      close(ours.precision, t.precision, 1e-12);
      close(ours.recall, t.recall, 1e-12);
      close(ours.f1, t['f1-score'], 1e-12);
    }
    expect(r.text).toMatch(/precision +recall +f1-score +support/);
    expect(r.text).toMatch(/weighted avg/);
  });
});

describe('metric inputs', () => {
  it('refuses mismatched shapes and weights with coded errors', () => {
    const m = metrics.precision();
    expect(() => m.updateState([[1, 0]], [[1, 0], [0, 1]])).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => m.updateState([1, 0], [0.2, 0.9], [1])).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => m.updateState([1, 0], [0.2, NaN])).toThrow(expect.objectContaining({ code: 'SIMDNET_NOT_FINITE' }));
    expect(() => metrics.auc({ curve: 'XY' as 'PR' })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => metrics.precision({ classId: 3 }).updateState([[1, 0]], [[1, 0]])).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });
});
