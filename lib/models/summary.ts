/**
 * The Keras model.summary() table, as a string. Keras 2's widths (29, 26, 10 for a Sequential) are the minimum; a
 * column widens to its longest cell plus one space, so long names such as
 * `batch_normalization (BatchNormalization)` keep every column in line (issue 15).
 */
import type { Layer } from '../layers/layer.js';

const MIN_WIDTHS = [29, 26, 10];
const HEAD = ['Layer (type)', 'Output Shape', 'Param #'];

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] - 1) + ' ')).join('').trimEnd();
}

export function summaryTable(modelName: string, layers: Layer[]): string {
  let trainable = 0;
  let nonTrainable = 0;
  const rows = layers.map((layer) => {
    const c = layer.paramCounts();
    trainable += c.trainable;
    nonTrainable += c.nonTrainable;
    return [`${layer.name} (${layer.className})`, `(None, ${layer.outputSize})`, String(c.trainable + c.nonTrainable)];
  });
  const widths = MIN_WIDTHS.map((w, i) => Math.max(w, ...[HEAD, ...rows].map((r) => r[i].length + 1)));
  const width = widths.reduce((a, b) => a + b, 0);
  const lines: string[] = [`Model: "${modelName}"`, '_'.repeat(width), row(HEAD, widths), '='.repeat(width)];
  rows.forEach((r, i) => {
    lines.push(row(r, widths));
    if (i < rows.length - 1) lines.push('');
  });
  lines.push('='.repeat(width));
  lines.push(`Total params: ${(trainable + nonTrainable).toLocaleString('en-US')}`);
  lines.push(`Trainable params: ${trainable.toLocaleString('en-US')}`);
  lines.push(`Non-trainable params: ${nonTrainable.toLocaleString('en-US')}`);
  lines.push('_'.repeat(width));
  return lines.join('\n');
}
