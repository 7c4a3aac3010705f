/** The progress bar's ETA and durations (issue 15): no "ETA 0s" before the first step, no "0.0s" epochs. */
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, callbacks } from '../../lib/index.js';
import { formatDuration, formatEta } from '../../lib/callbacks/progress-bar.js';

describe('progress bar', () => {
  it('formats durations as Keras does, never 0.0s', () => {
    expect(formatDuration(0.25)).toBe('250us');
    expect(formatDuration(3.4)).toBe('3ms');
    expect(formatDuration(999.4)).toBe('999ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(125_000)).toBe('2m 05s');
  });

  it('has no ETA before the first step, then time per step times steps left', () => {
    expect(formatEta(0, 0, 10)).toBe('-');
    expect(formatEta(200, 2, 10)).toBe('800ms');
    expect(formatEta(200, 10, 10)).toBe('0us');
  });

  it('writes "ETA -" at 0/N and a non-zero epoch time', async () => {
    let out = '';
    const stream = { isTTY: false, write: (s: string) => ((out += s), true) };
    const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    m.compile({ optimizer: 'sgd', loss: 'mse', backend: 'js', seed: 1 });
    await m.fit([[1, 2], [3, 4], [5, 6]], [[1], [2], [3]], { epochs: 1, batchSize: 1, verbose: 0, callbacks: [callbacks.progressBar({ stream, live: true })] });
    expect(out).toMatch(/0\/3 \| ETA - \|/);
    expect(out).not.toMatch(/0\/3 \| ETA 0s/);
    expect(out).toMatch(/3\/3 \| ETA 0s \| \d+(\.\d)?(us|ms|s) - loss: /);
    expect(out).not.toMatch(/0\.0s/);
    m.dispose();
  });
});
