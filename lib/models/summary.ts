/** The Keras model.summary() table, as a string. */
import type { Layer } from '../layers/layer.js';

const WIDTHS = [29, 26, 10];

function row(cells: string[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(WIDTHS[i] - 1) + ' ')).join('');
}

export function summaryTable(modelName: string, layers: Layer[]): string {
  const width = WIDTHS.reduce((a, b) => a + b, 0);
  const lines: string[] = [`Model: "${modelName}"`, '_'.repeat(width), row(['Layer (type)', 'Output Shape', 'Param #']), '='.repeat(width)];
  let trainable = 0;
  let nonTrainable = 0;
  layers.forEach((layer, i) => {
    const c = layer.paramCounts();
    trainable += c.trainable;
    nonTrainable += c.nonTrainable;
    lines.push(row([`${layer.name} (${layer.className})`, `(None, ${layer.outputSize})`, String(c.trainable + c.nonTrainable)]));
    if (i < layers.length - 1) lines.push('');
  });
  lines.push('='.repeat(width));
  lines.push(`Total params: ${(trainable + nonTrainable).toLocaleString('en-US')}`);
  lines.push(`Trainable params: ${trainable.toLocaleString('en-US')}`);
  lines.push(`Non-trainable params: ${nonTrainable.toLocaleString('en-US')}`);
  lines.push('_'.repeat(width));
  return lines.join('\n');
}
