/** vega and vega-lite are optional (issue 15): loaded only to draw, and a clear coded error when absent. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCharting, trainingCurveSvg } from '../../lib/cli/chart.js';

describe('charting as an optional dependency', () => {
  it('is declared optional, not a dependency', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.dependencies.vega).toBeUndefined();
    expect(pkg.dependencies['vega-lite']).toBeUndefined();
    expect(pkg.optionalDependencies).toMatchObject({ vega: expect.any(String), 'vega-lite': expect.any(String) });
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'));
    expect(lock.packages[''].optionalDependencies).toEqual(pkg.optionalDependencies);
    expect(lock.packages['node_modules/vega'].optional).toBe(true);
  });

  it('is not loaded by the CLI modules until a chart is drawn', () => {
    for (const f of ['chart.ts', 'train.ts', 'run.ts'])
      expect(readFileSync(new URL(`../../lib/cli/${f}`, import.meta.url), 'utf8')).not.toMatch(/^import (?!type )[^;]*from 'vega(-lite)?'/m);
  });

  it('says what to install when vega is missing', async () => {
    const missing = async (name: string) => {
      throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    await expect(loadCharting(missing)).rejects.toMatchObject({ code: 'SIMDNET_MISSING_DEPENDENCY', message: expect.stringMatching(/npm install vega vega-lite/) });
    const other = async () => {
      throw new SyntaxError('broken');
    };
    await expect(loadCharting(other)).rejects.toThrow(SyntaxError);
  });

  it('draws when installed', async () => {
    const svg = await trainingCurveSvg({ loss: [1, 0.5], accuracy: [0.5, 0.8] });
    expect(svg).toMatch(/^<svg/);
  });
});
