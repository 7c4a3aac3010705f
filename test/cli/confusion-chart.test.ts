import { describe, expect, it } from 'vitest';
import { argmaxRows, confusionMatrix, formatConfusion } from '../../lib/cli/confusion.js';
import { barChartSvg, trainingCurveSvg } from '../../lib/cli/chart.js';

describe('confusion matrix', () => {
  it('counts true x predicted and renders recall per class', () => {
    const m = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
    expect(Array.from(m)).toEqual([1, 1, 0, 0, 1, 0, 1, 0, 2]);
    const text = formatConfusion(m, 3, ['cat', 'dog', 'a-very-long-name']);
    expect(text).toMatch(/true \\ pred/);
    expect(text).toMatch(/a-very\./);
    expect(text).toMatch(/cat\s+│?\s*1\s+│?\s*1\s+│?\s*0\s+│?\s*0\.500/);
    expect(text).toMatch(/0\.667/);
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(expect.objectContaining({ code: 'SIMDNET_SHAPE_MISMATCH' }));
    expect(() => confusionMatrix([0], [2], 2)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });

  it('argmaxRows takes the first maximum', () => {
    expect(Array.from(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1], 3))).toEqual([1, 0, 2]);
  });
});

describe('charts', () => {
  it('renders training curves as SVG with both panels and every series', async () => {
    const svg = await trainingCurveSvg({ loss: [1, 0.5, 0.25], acc: [0.5, 0.8, 0.9], val_loss: [1.1, 0.6, 0.4], val_acc: [0.4, 0.7, 0.85] }, 'Test run');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const s of ['loss', 'metrics', 'val_acc', 'Test run']) expect(svg).toContain(s);
  });

  it('renders a bar chart, dropping non-positive values on a log scale', async () => {
    const svg = await barChartSvg([{ label: 'fast', value: 100000 }, { label: 'slow', value: 500 }, { label: 'failed', value: NaN }], {
      title: 'samples/s', xTitle: 'samples per second', logScale: true,
    });
    expect(svg).toContain('fast');
    expect(svg).toContain('slow');
    expect(svg).not.toContain('failed');
  });
});
