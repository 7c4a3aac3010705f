/**
 * The built CLI end to end on the embedded digits: spawn `node dist/cli/main.js train --data digits`, check the exit
 * code, the printed accuracy (>= 0.95, the target), the saved model (reloaded here: same predictions on the
 * same seeded test split) and the chart; then a CSV file with a header and class names.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, repoRoot } from './build-dist.js';
import { loadModel, tensor } from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { loadTrainingData } from '../../lib/cli/train-data.js';
import { argmaxRows } from '../../lib/cli/confusion.js';
import { loadDigits } from '../../lib/data/digits.js';
import { encodeIdx } from '../../lib/data/idx.js';
import { gzipSync } from 'node:zlib';
import { mkdirSync } from 'node:fs';

let dir: string;
beforeAll(() => {
  buildDist();
  dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const backends = native ? (['native', 'js'] as const) : (['js'] as const);

describe.each(backends)('simdnet train --data digits --backend %s', (backend) => {
  it('reaches >= 0.95 test accuracy, saves a model that reloads to the same predictions, writes the chart', async () => {
    const save = join(dir, `model-${backend}`);
    const chart = join(dir, `curve-${backend}.svg`);
    const r = cli(['train', '--data', 'digits', '--backend', backend, '--seed', '3', '--save', save, '--chart', chart]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const m = r.stdout.match(/Test accuracy: (\d\.\d+) \((\d+)\/(\d+)\)/);
    expect(m, r.stdout).not.toBeNull();
    const acc = Number(m![1]);
    expect(acc).toBeGreaterThanOrEqual(0.95);
    expect(Number(m![3])).toBe(449); // round(1,797 / 4), stratified per class
    expect(r.stdout).toMatch(/true \\ pred/);
    expect(r.stdout).toMatch(/reloaded: same predictions/);
    expect(r.stdout).toMatch(/Epoch \d+\/\d+/); // the progress display (per-epoch lines when not a TTY)
    expect(readFileSync(chart, 'utf8')).toMatch(/^<svg/);

    // Independent check in this process: the same seeded split, the saved model, the same correct count.
    const { test } = await loadTrainingData({ data: 'digits', seed: 3, testFraction: 0.25 });
    const model = await loadModel(save);
    try {
      const pred = argmaxRows(model.predict(tensor(test.x, [test.n, test.features])).data(), 10);
      let correct = 0;
      for (let i = 0; i < test.n; i++) if (pred[i] === test.labels[i]) correct++;
      expect(correct).toBe(Number(m![2]));
    } finally {
      model.dispose();
    }
  });
});

describe('simdnet train on IDX files', () => {
  it('trains from a directory of gzipped IDX files (MNIST layout) and names its classes by number', () => {
    // Three classes of 6x6 images: a bright top half, a bright left half, a bright diagonal, plus seeded noise.
    const d = join(dir, 'idx-set');
    mkdirSync(d);
    let s = 12345;
    const noise = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) % 60;
    for (const [part, n] of [['train', 600], ['t10k', 150]] as const) {
      const img = new Uint8Array(n * 36);
      const lab = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        lab[i] = i % 3;
        for (let p = 0; p < 36; p++) {
          const r = Math.floor(p / 6), c = p % 6;
          const on = lab[i] === 0 ? r < 3 : lab[i] === 1 ? c < 3 : r === c;
          img[i * 36 + p] = (on ? 180 : 0) + noise();
        }
      }
      writeFileSync(join(d, `${part}-images-idx3-ubyte.gz`), gzipSync(encodeIdx({ dtype: 'uint8', shape: [n, 6, 6], data: img })));
      writeFileSync(join(d, `${part}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx({ dtype: 'uint8', shape: [n], data: lab })));
    }
    const r = cli(['train', '--data', d, '--epochs', '5', '--batch-size', '32', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/IDX files in .*: 600 training and 150 test samples, 36 features, 3 classes/);
    expect(r.stdout).toMatch(/Model: 36 inputs -> 128-64-3 /);
    expect(Number(r.stdout.match(/Test accuracy: (\d\.\d+)/)![1])).toBeGreaterThan(0.95);
  });

  it.skipIf(!existsSync('/usr/share/datasets/fashion-mnist'))('trains on Fashion-MNIST (limited) with a validation split', () => {
    const r = cli(['train', '--data', 'fashion-mnist', '--limit', '3000', '--epochs', '2', '--validation-split', '0.1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Fashion-MNIST \(.*\): 3000 training and 3000 test samples, 784 features, 10 classes/);
    expect(r.stdout).toMatch(/val_loss/);
    expect(r.stdout).toMatch(/Ankle\. /);
    expect(Number(r.stdout.match(/Test accuracy: (\d\.\d+)/)![1])).toBeGreaterThan(0.6);
  });
});

describe('simdnet train on a CSV file', () => {
  it('reads a header and class names, standardizes, trains and reports per-class names', async () => {
    const digits = await loadDigits({ normalize: false });
    const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const lines = [['label', ...Array.from({ length: 64 }, (_, i) => `p${i}`)].join(',')];
    for (let i = 0; i < digits.n; i++) lines.push([names[digits.labels[i]], ...digits.x.subarray(i * 64, (i + 1) * 64)].join(','));
    const csv = join(dir, 'digits-named.csv');
    writeFileSync(csv, lines.join('\n') + '\n');
    const r = cli(['train', '--data', csv, '--label-column', 'label', '--epochs', '15', '--quiet', '--seed', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1348 training and 449 test samples, 64 features, 10 classes/);
    expect(r.stdout).toMatch(/standardize scaling/);
    expect(r.stdout).toMatch(/\n\s*│?\s*seven\s/);
    expect(Number(r.stdout.match(/Test accuracy: (\d\.\d+)/)![1])).toBeGreaterThan(0.9);
    expect(r.stdout).not.toMatch(/Epoch \d/);
  });

  it('a ragged CSV fails with exit 1 naming file and line', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b,y\n1,2,0\n1,2\n');
    const r = cli(['train', '--data', bad, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:3: expected 3 cells (as on line 1) but found 2 [SIMDNET_PARSE]`);
  });

  it('bad arguments exit 2 from the built binary too', () => {
    const r = cli(['train', '--epochs', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: simdnet train/);
    expect(existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(readFileSync(join(repoRoot, 'dist', 'cli', 'main.js'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
