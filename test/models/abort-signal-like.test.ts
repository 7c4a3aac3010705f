/** fit() takes any AbortSignal look-alike (a structural type: the .d.ts needs neither DOM nor @types/node). */
import { describe, expect, it } from 'vitest';
import { Dense, Sequential } from '../../lib/index.js';
import { BACKENDS } from './backends.js';

class MySignal {
  aborted = false;
  private listeners: (() => void)[] = [];
  addEventListener(_type: 'abort', l: () => void): void { this.listeners.push(l); }
  removeEventListener(_type: 'abort', l: () => void): void { this.listeners = this.listeners.filter((k) => k !== l); }
  abort(): void { this.aborted = true; for (const l of this.listeners) l(); }
  get listening(): number { return this.listeners.length; }
}

describe('fit({ signal }) with an AbortSignal-like object', () => {
  for (const backend of BACKENDS) {
    it(backend, async () => {
      const m = new Sequential([new Dense({ units: 2, inputShape: [2] })]);
      m.compile({ optimizer: 'sgd', loss: 'mse', backend, seed: 1 });
      const x = [[1, 2], [3, 4], [5, 6], [7, 8]];
      const signal = new MySignal();
      const stopAfterFirst = { onEpochEnd: () => signal.abort() };
      const h = await m.fit(x, x, { epochs: 5, batchSize: 2, verbose: 0, signal, callbacks: [stopAfterFirst] });
      expect(h.stoppedBy).toBe('abort');
      expect(h.epoch).toEqual([0]);
      expect(signal.listening).toBe(0); // removed when fit settles
      await expect(m.fit(x, x, { verbose: 0, signal: { aborted: false } as never })).rejects.toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
      const real = new AbortController();
      real.abort();
      expect((await m.fit(x, x, { epochs: 2, verbose: 0, signal: real.signal })).stoppedBy).toBe('abort');
      m.dispose();
    });
  }
});
