/** summary(): columns stay in line whatever the layer names' lengths (issue 15). */
import { describe, expect, it } from 'vitest';
import { BatchNormalization, Dense, Sequential } from '../../lib/index.js';

function columnStarts(table: string): number[][] {
  const lines = table.split('\n').filter((l) => /\(None, \d+\)|Output Shape/.test(l));
  return lines.map((l) => [l.indexOf(l.includes('Output Shape') ? 'Output Shape' : '(None'), l.search(/(Param #|\d+)$/)]);
}

describe('summary()', () => {
  it('keeps Output Shape and Param # in line for long names', () => {
    const m = new Sequential([
      new Dense({ units: 64, inputShape: [10], name: 'a_rather_long_dense_layer_name_here' }),
      new BatchNormalization({ name: 'batch_normalization' }),
      new Dense({ units: 3, name: 'out' }),
    ]);
    const s = m.summary({ print: false });
    const starts = columnStarts(s);
    expect(starts).toHaveLength(4);
    for (const [shape, param] of starts) {
      expect(shape).toBe(starts[0][0]);
      expect(param).toBe(starts[0][1]);
    }
    expect(s).toContain('batch_normalization (BatchNormalization) ');
    // Every rule is as wide as the widest row.
    const widest = Math.max(...s.split('\n').filter((l) => !l.startsWith('Model:')).map((l) => l.length));
    expect(s.split('\n')[1]).toBe('_'.repeat(widest));
    m.dispose();
  });

  it('keeps Keras\'s widths for short names', () => {
    const m = new Sequential([new Dense({ units: 4, inputShape: [2], name: 'd' })]);
    const line = m.summary({ print: false }).split('\n').find((l) => l.startsWith('d (Dense)'))!;
    expect(line.indexOf('(None, 4)')).toBe(29);
    expect(line.indexOf('12')).toBe(55);
    m.dispose();
  });
});
