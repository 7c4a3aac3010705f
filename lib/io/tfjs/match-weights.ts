/**
 * Pairs a model's parameters with tfjs weights by name, as tfjs itself loads them (tfjs-layers container.ts
 * loadWeights: by originalName, never by position). A weight may carry a prefix (Keras 3 names them
 * `sequential/dense/kernel`): a unique `.../<layer>/<weight>` suffix match is accepted. Every parameter must be found
 * exactly once with the same shape, and every weight must be used.
 */
import { SimdnetError, type ErrorCode } from '../../errors.js';

export interface ParamRef {
  name: string;
  shape: number[];
}

/** For each parameter, the index of its weight in `weights`. */
export function matchWeights(params: ParamRef[], weights: ParamRef[], where: string, code: ErrorCode): number[] {
  const fail = (msg: string) => new SimdnetError(code, `${where}: ${msg}`);
  const byName = new Map<string, number>();
  weights.forEach((w, i) => {
    if (byName.has(w.name)) throw fail(`weight ${w.name} is listed twice`);
    byName.set(w.name, i);
  });
  const used = new Set<number>();
  const out = params.map((p) => {
    let at = byName.get(p.name);
    if (at === undefined) {
      const hits = weights.flatMap((w, i) => (w.name.endsWith(`/${p.name}`) ? [i] : []));
      if (hits.length > 1) throw fail(`weights ${hits.map((i) => weights[i].name).join(', ')} all end in ${p.name}`);
      at = hits[0];
    }
    if (at === undefined) throw fail(`weight ${p.name} [${p.shape}] is missing`);
    if (used.has(at)) throw fail(`weight ${weights[at].name} matches two parameters`);
    const w = weights[at];
    if (w.shape.length !== p.shape.length || w.shape.some((d, k) => d !== p.shape[k]))
      throw fail(`weight ${w.name} has shape [${w.shape}] but the layer needs [${p.shape}]`);
    used.add(at);
    return at;
  });
  const extra = weights.findIndex((_, i) => !used.has(i));
  if (extra >= 0) throw fail(`weight ${weights[extra].name} belongs to no parameter of the model`);
  return out;
}
