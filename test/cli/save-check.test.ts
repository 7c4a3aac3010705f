// `simdnet train --save <dir>` checks the target before training (issue 11): a path it cannot save to fails at once
// with SIMDNET_IO, before the data is even loaded, instead of after the whole run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainArgs, train, type TrainOptions } from '../../lib/cli/train.js';
import { checkSaveTarget } from '../../lib/io/save.js';
import { asyncCodeOf } from '../models/backends.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-save-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(save: string): TrainOptions {
  const o = parseTrainArgs(['--data', 'digits', '--backend', 'js', '--epochs', '1', '--limit', '50', '--quiet', '--save', save]);
  if (o === 'help') throw new Error('unexpected help');
  return o;
}

describe('train --save pre-check', () => {
  it('refuses an unusable target before training', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const taken = join(dir, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'notes.txt'), 'precious');
    for (const save of [join(file, 'model'), file, taken]) {
      const lines: string[] = [];
      const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
      expect(await asyncCodeOf(train(options(save), io))).toBe('SIMDNET_IO');
      expect(lines).toEqual([]); // nothing printed: not even the data was loaded
    }
    expect(readdirSync(taken)).toEqual(['notes.txt']);
  });

  it('accepts a new path (creating nothing) and a previous save', async () => {
    const fresh = join(dir, 'new', 'deeper', 'model');
    await checkSaveTarget(fresh);
    expect(readdirSync(dir)).not.toContain('new');
    const lines: string[] = [];
    const save = join(dir, 'saved');
    await train(options(save), { out: (t) => lines.push(t), err: (t) => lines.push(t) });
    expect(lines.join('\n')).toMatch(/Saved model to .*reloaded: same predictions/);
    await checkSaveTarget(save);
  });

  // root writes anywhere, so the check has nothing to refuse there
  it.skipIf(process.getuid?.() === 0)('refuses a read-only directory', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro, { mode: 0o500 });
    expect(await asyncCodeOf(checkSaveTarget(join(ro, 'model')))).toBe('SIMDNET_IO');
  });
});
