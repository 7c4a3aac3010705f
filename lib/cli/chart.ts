/**
 * SVG charts rendered in Node with vega-lite -> vega (no canvas, no browser): the training curves of `simdnet train
 * --chart` and the throughput bars of the benchmark suite. Text widths are estimated (renderer 'none' has no font
 * metrics), which is fine for labels of this length.
 */
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { SimdnetError } from '../errors.js';

/** How chart.ts imports a package (tests pass one that fails). */
export type Importer = (name: string) => Promise<unknown>;
const nativeImport: Importer = (name) => import(name);

/**
 * vega and vega-lite (about 12 MB installed) are optionalDependencies, loaded only when a chart is drawn (issue
 * 15): an install with --omit=optional works for everything but --chart, which then says what to install.
 */
export async function loadCharting(importer: Importer = nativeImport): Promise<{ vega: typeof Vega; vl: typeof VegaLite }> {
  try {
    const [vega, vl] = await Promise.all([importer('vega'), importer('vega-lite')]);
    return { vega: vega as typeof Vega, vl: vl as typeof VegaLite };
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new SimdnetError('SIMDNET_MISSING_DEPENDENCY',
      'Charts need the optional dependencies vega and vega-lite, which are not installed (an install with --omit=optional skips them): ' +
        'run `npm install vega vega-lite` in your project', { cause: e });
  }
}

async function render(spec: VegaLite.TopLevelSpec): Promise<string> {
  const { vega, vl } = await loadCharting();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Loss and metric curves per epoch. `history` maps a series name (loss, acc, val_loss...) to one value per epoch;
 * losses and [0, 1] metrics go into two panels so neither squashes the other.
 */
export async function trainingCurveSvg(history: Record<string, number[]>, title = 'Training'): Promise<string> {
  const values: Array<{ epoch: number; value: number; series: string; panel: string }> = [];
  for (const [series, vs] of Object.entries(history)) {
    const panel = /loss/i.test(series) ? 'loss' : 'metrics';
    vs.forEach((value, i) => {
      if (Number.isFinite(value)) values.push({ epoch: i + 1, value, series, panel });
    });
  }
  const layerFor = (panel: string): Record<string, unknown> => ({
    width: 480,
    height: 180,
    title: panel,
    transform: [{ filter: { field: 'panel', equal: panel } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: panel === 'loss' ? 'loss' : 'value' },
      color: { field: 'series', type: 'nominal' },
    },
  });
  const panels = [...new Set(values.map((v) => v.panel))].sort();
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    vconcat: panels.map(layerFor),
    resolve: { scale: { color: 'independent' } },
  } as unknown as VegaLite.TopLevelSpec;
  return render(spec);
}

/** Horizontal bars (one per label), e.g. samples per second per contender; `logScale` for values spanning decades. */
export async function barChartSvg(
  rows: Array<{ label: string; value: number; group?: string }>,
  options: { title: string; xTitle: string; logScale?: boolean },
): Promise<string> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 520,
    data: { values: rows.filter((r) => Number.isFinite(r.value) && r.value > 0) },
    mark: 'bar',
    encoding: {
      y: { field: 'label', type: 'nominal', sort: '-x', title: null },
      x: { field: 'value', type: 'quantitative', title: options.xTitle, scale: options.logScale ? { type: 'log' } : {} },
      color: { field: 'group', type: 'nominal', legend: rows.some((r) => r.group) ? {} : null },
      tooltip: [{ field: 'label' }, { field: 'value', format: ',.0f' }],
    },
  } as unknown as VegaLite.TopLevelSpec;
  return render(spec);
}
