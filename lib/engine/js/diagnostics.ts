/** Collects LayerDiagnostics over the steps of one JsEngine.trainBatches call (docs/engine.md, Diagnostics). */
import type { LayerDiagnostics } from '../engine.js';
import { sumSquares } from '../../kernels/reference/reduce.js';
import { weightOf, type Rt } from './types.js';

export class DiagAccumulator {
  private readonly gradNorm: number[];
  private readonly updateRatio: number[];
  private readonly before: (Float32Array | null)[];
  private steps = 0;
  private lastM = 0;

  constructor(layers: Rt[]) {
    this.gradNorm = layers.map(() => 0);
    this.updateRatio = layers.map(() => 0);
    this.before = layers.map((rt) => (weightOf(rt) ? new Float32Array(weightOf(rt)!.value.length) : null));
  }

  beforeUpdate(layers: Rt[]): void {
    layers.forEach((rt, i) => {
      const w = weightOf(rt);
      if (!w) return;
      this.gradNorm[i] += Math.sqrt(sumSquares(w.grad!.length, w.grad!));
      this.before[i]!.set(w.value);
    });
  }

  afterUpdate(layers: Rt[], m: number): void {
    layers.forEach((rt, i) => {
      const w = weightOf(rt);
      if (!w) return;
      const b = this.before[i]!;
      let d = 0;
      let base = 0;
      for (let j = 0; j < b.length; j++) {
        const e = w.value[j] - b[j];
        d += e * e;
        base += b[j] * b[j];
      }
      this.updateRatio[i] += base > 0 ? Math.sqrt(d) / Math.sqrt(base) : 0;
    });
    this.steps++;
    this.lastM = m;
  }

  result(layers: Rt[]): LayerDiagnostics[] {
    const out: LayerDiagnostics[] = [];
    const steps = Math.max(this.steps, 1);
    layers.forEach((rt, i) => {
      const w = weightOf(rt);
      if (!w && !rt.act) return;
      let mean = 0;
      let sq = 0;
      let dead = 0;
      const m = this.lastM;
      const n = rt.outSize;
      if (rt.act && m > 0) {
        for (let j = 0; j < m * n; j++) {
          mean += rt.y[j];
          sq += rt.y[j] * rt.y[j];
        }
        mean /= m * n;
        sq = Math.max(sq / (m * n) - mean * mean, 0);
        if (rt.act.kind === 'relu' || rt.act.kind === 'leakyRelu') {
          for (let u = 0; u < n; u++) {
            let allDead = true;
            for (let r = 0; r < m && allDead; r++) if (rt.y[r * n + u] > 0) allDead = false;
            if (allDead) dead++;
          }
        }
      }
      out.push({
        layerIndex: i,
        gradNorm: w ? this.gradNorm[i] / steps : 0,
        weightNorm: w ? Math.sqrt(sumSquares(w.value.length, w.value)) : 0,
        updateRatio: w ? this.updateRatio[i] / steps : 0,
        deadFraction: rt.act && n > 0 ? dead / n : 0,
        activationMean: mean,
        activationStd: Math.sqrt(sq),
      });
    });
    return out;
  }
}
