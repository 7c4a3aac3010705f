/**
 * JsEngine: the pure-TS twin of the native engine (semantics in docs/engine.md), built only on the reference kernels
 * in lib/kernels/reference. Used by `compile({ backend: 'js' })`, as the fallback when the addon is missing, and as the
 * comparison side of the benchmarks. All buffers are preallocated per plan and grown once to the largest batch seen.
 *
 * trainBatches runs on the main thread: it yields to the event loop every ~10 ms so timers, AbortSignals and cancel()
 * get a chance to run between steps (a step itself is never interrupted).
 */
import type {
  ActivationSpec, Engine, LayerDiagnostics, LayerSpec, Logs, OptimizerSpec, ParamInfo, PlanSpec,
  RegularizerSpec, TrainBatchesArgs, TrainBatchesResult,
} from './engine.js';
import { SimdnetError } from '../errors.js';
import { gemm } from '../kernels/reference/gemm.js';
import { activationBackward, activationForward } from '../kernels/reference/activations.js';
import { softmaxBackward, softmaxForward } from '../kernels/reference/softmax.js';
import { bceLogits, bceProb, cceProb, mse, softmaxCce, sparseSoftmaxCce } from '../kernels/reference/losses.js';
import { colSum, sumSquares } from '../kernels/reference/reduce.js';
import * as optim from '../kernels/reference/optim.js';
import { dropoutBackward, dropoutForward } from '../kernels/reference/dropout.js';
import { batchNormBackward, batchNormForwardInfer, batchNormForwardTrain } from '../kernels/reference/batchnorm.js';
import { initFill } from '../kernels/reference/init.js';
import { OPTIMIZER_DEFAULTS } from '../optimizers/defaults.js';

/** eps of the probability-space losses (docs/engine.md: bce_prob / cce_prob with eps 1e-7, as Keras). */
const PROB_EPS = 1e-7;
/** How long trainBatches may hold the event loop before yielding (ms). */
const YIELD_MS = 10;

interface Slot {
  info: ParamInfo;
  value: Float32Array;
  /** null for non-trainable parameters. */
  grad: Float32Array | null;
  reg: RegularizerSpec | null;
  /** Optimizer state arrays, allocated lazily by kind. */
  state: Record<string, Float32Array>;
}

interface Rt {
  spec: LayerSpec;
  index: number;
  inSize: number;
  outSize: number;
  act: ActivationSpec | null;
  kernel?: Slot;
  bias?: Slot;
  gamma?: Slot;
  beta?: Slot;
  movingMean?: Slot;
  movingVar?: Slot;
  /** Output (cap x outSize). */
  y: Float32Array;
  /** Dense pre-activation (cap x outSize); null when the activation is linear (y holds z). */
  z: Float32Array | null;
  /** Gradient w.r.t. the dense pre-activation; null when linear (the output gradient is used directly). */
  dz: Float32Array | null;
  /** Gradient w.r.t. this layer's output (cap x outSize). */
  dOut: Float32Array;
  mask: Uint8Array | null;
  saveMean: Float32Array | null;
  saveInvStd: Float32Array | null;
}

type Fused = 'softmaxCce' | 'sparseSoftmaxCce' | 'bceLogits' | null;

function kernelAct(a: ActivationSpec): 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' {
  if (a.kind === 'softmax') throw new Error('internal: softmax is not an elementwise activation');
  return a.kind;
}

export class JsEngine implements Engine {
  readonly backend = 'js' as const;
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly plan: PlanSpec;
  private readonly layers: Rt[] = [];
  private readonly slots: Slot[] = [];
  private readonly fused: Fused;
  private opt: Required<Omit<OptimizerSpec, 'clipNorm' | 'clipValue'>> & Pick<OptimizerSpec, 'clipNorm' | 'clipValue'>;
  private lr: number;
  private t = 0;
  private cap = 0;
  private xb = new Float32Array(0);
  private yb = new Float32Array(0);
  private labels = new Int32Array(0);
  private oneHot = new Float32Array(0);
  private dIn = new Float32Array(0);
  private busyFlag = false;
  private cancelRequested = false;
  private disposedFlag = false;

  constructor(plan: PlanSpec) {
    if (!plan || !Array.isArray(plan.layers) || plan.layers.length === 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Expected a plan with at least one layer');
    this.plan = plan;
    this.inputSize = plan.inputSize;
    let size = plan.inputSize;
    plan.layers.forEach((spec, index) => {
      const rt = this.buildLayer(spec, index, size);
      this.layers.push(rt);
      size = rt.outSize;
    });
    this.outputSize = size;
    const last = this.layers[this.layers.length - 1];
    const a = last.act?.kind;
    this.fused =
      a === 'softmax' && plan.loss === 'categoricalCrossentropy' ? 'softmaxCce'
      : a === 'softmax' && plan.loss === 'sparseCategoricalCrossentropy' ? 'sparseSoftmaxCce'
      : a === 'sigmoid' && plan.loss === 'binaryCrossentropy' ? 'bceLogits'
      : null;
    this.opt = { ...OPTIMIZER_DEFAULTS[plan.optimizer.kind], ...plan.optimizer } as JsEngine['opt'];
    this.lr = plan.optimizer.learningRate;
    this.initParams();
  }

  private buildLayer(spec: LayerSpec, index: number, inSize: number): Rt {
    const sizeOf = (s: LayerSpec) => (s.type === 'dense' ? s.units : s.size);
    const outSize = sizeOf(spec);
    if (spec.type !== 'dense' && spec.size !== inSize)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Layer ${spec.name} has size ${spec.size} but its input has ${inSize} features`);
    if (spec.type === 'dense' && spec.inputSize !== inSize)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Layer ${spec.name} expects ${spec.inputSize} inputs but receives ${inSize}`);
    const rt: Rt = {
      spec, index, inSize, outSize, act: null, y: new Float32Array(0), z: null, dz: null, dOut: new Float32Array(0),
      mask: null, saveMean: null, saveInvStd: null,
    };
    const slot = (param: string, shape: number[], trainable: boolean, reg: RegularizerSpec | null): Slot => {
      const n = shape.reduce((p, q) => p * q, 1);
      const s: Slot = {
        info: { name: `${spec.name}/${param}`, layerIndex: index, shape, trainable },
        value: new Float32Array(n),
        grad: trainable ? new Float32Array(n) : null,
        reg: reg && (reg.l1 !== 0 || reg.l2 !== 0) ? reg : null,
        state: {},
      };
      this.slots.push(s);
      return s;
    };
    if (spec.type === 'dense') {
      rt.act = spec.activation;
      rt.kernel = slot('kernel', [inSize, spec.units], true, spec.kernelRegularizer);
      if (spec.useBias) rt.bias = slot('bias', [spec.units], true, spec.biasRegularizer);
    } else if (spec.type === 'activation') {
      rt.act = spec.activation;
    } else if (spec.type === 'batchNormalization') {
      if (spec.scale) rt.gamma = slot('gamma', [outSize], true, null);
      if (spec.center) rt.beta = slot('beta', [outSize], true, null);
      rt.movingMean = slot('moving_mean', [outSize], false, null);
      rt.movingVar = slot('moving_variance', [outSize], false, null);
    }
    return rt;
  }

  private initParams(): void {
    for (const rt of this.layers) {
      const s = rt.spec;
      if (s.type === 'dense') {
        const k = rt.kernel!;
        initFill(s.kernelInitializer, rt.inSize, rt.outSize, this.plan.seed, 2 * rt.index, k.value.length, k.value);
        if (rt.bias) initFill(s.biasInitializer, rt.inSize, rt.outSize, this.plan.seed, 2 * rt.index + 1, rt.bias.value.length, rt.bias.value);
      } else if (s.type === 'batchNormalization') {
        rt.gamma?.value.fill(1);
        rt.beta?.value.fill(0);
        rt.movingMean!.value.fill(0);
        rt.movingVar!.value.fill(1);
      }
    }
    this.resetOptimizer();
  }

  /** Grows every per-batch buffer to hold `m` rows. */
  private ensureCapacity(m: number): void {
    if (m <= this.cap) return;
    const cap = m;
    this.cap = cap;
    this.xb = new Float32Array(cap * this.inputSize);
    const ySize = this.plan.loss === 'sparseCategoricalCrossentropy' ? 1 : this.outputSize;
    this.yb = new Float32Array(cap * ySize);
    this.labels = new Int32Array(cap);
    this.oneHot = new Float32Array(this.plan.loss === 'sparseCategoricalCrossentropy' ? cap * this.outputSize : 0);
    this.dIn = new Float32Array(cap * this.inputSize);
    for (const rt of this.layers) {
      const n = cap * rt.outSize;
      rt.y = new Float32Array(n);
      rt.dOut = new Float32Array(n);
      const nonLinearDense = rt.spec.type === 'dense' && rt.act!.kind !== 'linear';
      rt.z = nonLinearDense ? new Float32Array(n) : null;
      rt.dz = nonLinearDense ? new Float32Array(n) : null;
      if (rt.spec.type === 'dropout') rt.mask = new Uint8Array(n);
      if (rt.spec.type === 'batchNormalization') {
        rt.saveMean = new Float32Array(rt.outSize);
        rt.saveInvStd = new Float32Array(rt.outSize);
      }
    }
  }

  private checkUsable(): void {
    if (this.disposedFlag) throw new SimdnetError('SIMDNET_DISPOSED', 'This engine has been disposed');
  }

  // ---------------------------------------------------------------------------------------------- parameters

  params(): ParamInfo[] {
    return this.slots.map((s) => ({ ...s.info, shape: [...s.info.shape] }));
  }

  getParams(): Float32Array[] {
    this.checkUsable();
    return this.slots.map((s) => s.value.slice());
  }

  setParams(values: Float32Array[]): void {
    this.checkUsable();
    if (!Array.isArray(values) || values.length !== this.slots.length)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected ${this.slots.length} parameter arrays but received ${Array.isArray(values) ? values.length : typeof values}`);
    values.forEach((v, i) => {
      const s = this.slots[i];
      if (!(v instanceof Float32Array) || v.length !== s.value.length)
        throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected Float32Array of length ${s.value.length} for ${s.info.name} but received ${v instanceof Float32Array ? 'length ' + v.length : typeof v}`);
    });
    values.forEach((v, i) => this.slots[i].value.set(v));
  }

  resetOptimizer(): void {
    this.t = 0;
    for (const s of this.slots) s.state = {};
  }

  getLearningRate(): number {
    return this.lr;
  }

  setLearningRate(lr: number): void {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected non-negative finite number for learningRate but received ${String(lr)}`);
    this.lr = lr;
  }

  get step(): number {
    return this.t;
  }

  get busy(): boolean {
    return this.busyFlag;
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  memoryBytes(): number {
    let b = this.xb.byteLength + this.yb.byteLength + this.labels.byteLength + this.oneHot.byteLength + this.dIn.byteLength;
    for (const s of this.slots) {
      b += s.value.byteLength + (s.grad?.byteLength ?? 0);
      for (const a of Object.values(s.state)) b += a.byteLength;
    }
    for (const rt of this.layers) {
      b += rt.y.byteLength + rt.dOut.byteLength + (rt.z?.byteLength ?? 0) + (rt.dz?.byteLength ?? 0) + (rt.mask?.byteLength ?? 0);
      b += (rt.saveMean?.byteLength ?? 0) + (rt.saveInvStd?.byteLength ?? 0);
    }
    return b;
  }

  dispose(): void {
    this.disposedFlag = true;
    this.cancelRequested = true;
    this.cap = 0;
    this.xb = new Float32Array(0);
    for (const rt of this.layers) {
      rt.y = rt.dOut = new Float32Array(0);
      rt.z = rt.dz = null;
    }
  }

  // ---------------------------------------------------------------------------------------------- forward

  /** Runs the forward pass on rows [0, m) of this.xb; returns the output buffer (last layer's y). */
  private forward(m: number, training: boolean, updateStats: boolean): Float32Array {
    let x: Float32Array = this.xb;
    for (const rt of this.layers) {
      const s = rt.spec;
      const n = m * rt.outSize;
      if (s.type === 'dense') {
        const act = rt.act!;
        const z = rt.z ?? rt.y;
        gemm({ m, n: rt.outSize, k: rt.inSize, a: x, b: rt.kernel!.value, c: z, bias: rt.bias?.value ?? null });
        if (act.kind === 'softmax') softmaxForward(m, rt.outSize, act.temperature ?? 1, z, rt.y);
        else if (act.kind !== 'linear') activationForward(act.kind, act.alpha ?? 0.01, n, z, rt.y);
      } else if (s.type === 'activation') {
        const act = rt.act!;
        if (act.kind === 'softmax') softmaxForward(m, rt.outSize, act.temperature ?? 1, x, rt.y);
        else activationForward(kernelAct(act), act.alpha ?? 0.01, n, x, rt.y);
      } else if (s.type === 'dropout') {
        if (training && s.rate > 0) {
          // docs/engine.md: stream = layerIndex * 2^40 + t (t = steps taken before this one), offset 0.
          dropoutForward(n, s.rate, s.seed ?? this.plan.seed, rt.index * 2 ** 40 + this.t, 0, x, rt.y, rt.mask!);
        } else {
          rt.y.set(x.subarray(0, n));
          if (training) rt.mask!.fill(1, 0, n);
        }
      } else {
        if (training) {
          batchNormForwardTrain(m, rt.outSize, s.momentum, s.epsilon, x, rt.gamma?.value ?? null, rt.beta?.value ?? null,
            updateStats ? rt.movingMean!.value : null, updateStats ? rt.movingVar!.value : null, rt.saveMean!, rt.saveInvStd!, rt.y);
        } else {
          batchNormForwardInfer(m, rt.outSize, s.epsilon, x, rt.gamma?.value ?? null, rt.beta?.value ?? null,
            rt.movingMean!.value, rt.movingVar!.value, rt.y);
        }
      }
      x = rt.y;
    }
    return x;
  }

  /** Input of layer i (rows of the current batch). */
  private inputOf(i: number): Float32Array {
    return i === 0 ? this.xb : this.layers[i - 1].y;
  }

  /** Gradient buffer for the input of layer i, or null when nobody needs it (layer 0). */
  private dInputOf(i: number): Float32Array | null {
    return i === 0 ? null : this.layers[i - 1].dOut;
  }

  // ---------------------------------------------------------------------------------------------- loss + metrics

  private fillLabels(m: number): void {
    for (let r = 0; r < m; r++) this.labels[r] = this.yb[r] | 0;
  }

  private fillOneHot(m: number): Float32Array {
    const n = this.outputSize;
    this.oneHot.fill(0, 0, m * n);
    for (let r = 0; r < m; r++) this.oneHot[r * n + this.labels[r]] = 1;
    return this.oneHot;
  }

  /**
   * Data loss of the batch (batch mean). With `grad`, writes the gradient for the backward pass: into the
   * pre-activation gradient of the last layer when fused (returns 'pre'), else into its output gradient ('out').
   */
  private loss(m: number, withGrad: boolean): { value: number; into: 'pre' | 'out' } {
    const L = this.layers.length - 1;
    const last = this.layers[L];
    const n = this.outputSize;
    const sparse = this.plan.loss === 'sparseCategoricalCrossentropy';
    if (sparse) this.fillLabels(m);
    if (this.fused) {
      const pre = last.spec.type === 'dense' ? last.z! : this.inputOf(L);
      const g = withGrad ? (last.spec.type === 'dense' ? last.dz! : this.dInputOf(L) ?? this.dIn) : null;
      const temp = last.act!.temperature ?? 1;
      let value: number;
      if (this.fused === 'softmaxCce') value = softmaxCce(m, n, temp, this.yb, pre, g);
      else if (this.fused === 'sparseSoftmaxCce') value = sparseSoftmaxCce(m, n, temp, this.labels, pre, g);
      else value = bceLogits(m, n, this.yb, pre, g);
      return { value, into: 'pre' };
    }
    const p = last.y;
    const g = withGrad ? last.dOut : null;
    const t = sparse ? this.fillOneHot(m) : this.yb;
    let value: number;
    switch (this.plan.loss) {
      case 'meanSquaredError': value = mse(m, n, t, p, g); break;
      case 'binaryCrossentropy': value = bceProb(m, n, PROB_EPS, t, p, g); break;
      default: value = cceProb(m, n, PROB_EPS, t, p, g); break;
    }
    return { value, into: 'out' };
  }

  private penalty(): number {
    let p = 0;
    for (const s of this.slots) if (s.reg) p += optim.penaltyValue(s.value.length, s.reg.l1, s.reg.l2, s.value);
    return p;
  }

  /** Sums (not means) of each metric over rows [0, m) of the batch. */
  private metricSums(m: number, out: Record<string, number>): void {
    const n = this.outputSize;
    const p = this.layers[this.layers.length - 1].y;
    const sparse = this.plan.loss === 'sparseCategoricalCrossentropy';
    const binaryAcc = this.plan.loss === 'binaryCrossentropy' || (this.plan.loss === 'meanSquaredError' && n === 1);
    const target = (r: number, j: number) => (sparse ? (this.yb[r] === j ? 1 : 0) : this.yb[r * n + j]);
    for (const metric of this.plan.metrics) {
      let acc = 0;
      for (let r = 0; r < m; r++) {
        if (metric === 'accuracy') {
          if (binaryAcc) {
            let hits = 0;
            for (let j = 0; j < n; j++) if (p[r * n + j] > 0.5 === target(r, j) > 0.5) hits++;
            acc += hits / n;
          } else {
            let best = 0;
            for (let j = 1; j < n; j++) if (p[r * n + j] > p[r * n + best]) best = j;
            if (sparse) acc += best === this.yb[r] ? 1 : 0;
            else {
              let tb = 0;
              for (let j = 1; j < n; j++) if (this.yb[r * n + j] > this.yb[r * n + tb]) tb = j;
              acc += best === tb ? 1 : 0;
            }
          }
        } else {
          let e = 0;
          for (let j = 0; j < n; j++) {
            const d = p[r * n + j] - target(r, j);
            e += metric === 'mse' ? d * d : Math.abs(d);
          }
          acc += e / n;
        }
      }
      out[metric] = (out[metric] ?? 0) + acc;
    }
  }

  // ---------------------------------------------------------------------------------------------- backward

  /** Gradients of every trainable parameter for the batch in xb/yb, given the loss gradient already written. */
  private backward(m: number, lossInto: 'pre' | 'out'): void {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const rt = this.layers[i];
      const s = rt.spec;
      const isLast = i === this.layers.length - 1;
      const skipAct = isLast && lossInto === 'pre';
      const x = this.inputOf(i);
      const dx = this.dInputOf(i);
      const n = m * rt.outSize;
      if (s.type === 'dense') {
        const act = rt.act!;
        let dz: Float32Array;
        if (act.kind === 'linear') dz = rt.dOut;
        else {
          dz = rt.dz!;
          if (!skipAct) {
            if (act.kind === 'softmax') softmaxBackward(m, rt.outSize, act.temperature ?? 1, rt.y, rt.dOut, dz);
            else activationBackward(act.kind, act.alpha ?? 0.01, n, rt.z!, rt.y, rt.dOut, dz);
          }
        }
        // dW = x^T dz (in x out); db = column sums of dz; dx = dz W^T.
        gemm({ transA: true, m: rt.inSize, n: rt.outSize, k: m, a: x, b: dz, c: rt.kernel!.grad! });
        if (rt.bias) colSum(m, rt.outSize, dz, rt.outSize, false, rt.bias.grad!);
        if (dx) gemm({ transB: true, m, n: rt.inSize, k: rt.outSize, a: dz, b: rt.kernel!.value, c: dx });
      } else if (s.type === 'activation') {
        if (skipAct || !dx) continue;
        const act = rt.act!;
        if (act.kind === 'softmax') softmaxBackward(m, rt.outSize, act.temperature ?? 1, rt.y, rt.dOut, dx);
        else activationBackward(act.kind, act.alpha ?? 0.01, n, x, rt.y, rt.dOut, dx);
      } else if (s.type === 'dropout') {
        if (dx) dropoutBackward(n, s.rate, rt.mask!, rt.dOut, dx);
      } else {
        batchNormBackward(m, rt.outSize, x, rt.dOut, rt.gamma?.value ?? null, rt.saveMean!, rt.saveInvStd!, dx ?? this.dIn,
          rt.gamma?.grad ?? null, rt.beta?.grad ?? null);
      }
    }
  }

  /** Loads rows [0, m) of x/y (row-major, already gathered) into the batch buffers. */
  private loadBatch(x: Float32Array, y: Float32Array | null, m: number): void {
    this.ensureCapacity(m);
    this.xb.set(x.subarray(0, m * this.inputSize));
    if (y) this.yb.set(y.subarray(0, m * this.ySize));
  }

  private get ySize(): number {
    return this.plan.loss === 'sparseCategoricalCrossentropy' ? 1 : this.outputSize;
  }

  /**
   * Training-mode loss (data + penalties) and the gradient of every trainable parameter (after penalties, before
   * clipping) for rows [0, m) of x/y, without updating anything: no step, no moving statistics. Dropout uses the
   * mask of the next step. Internal: used by the gradient checks in the tests.
   */
  computeGradients(x: Float32Array, y: Float32Array, m: number): { loss: number; grads: (Float32Array | null)[] } {
    this.checkUsable();
    this.loadBatch(x, y, m);
    this.forward(m, true, false);
    const l = this.loss(m, true);
    this.backward(m, l.into);
    this.addPenaltyGrads();
    return { loss: l.value + this.penalty(), grads: this.slots.map((s) => (s.grad ? s.grad.slice() : null)) };
  }

  private addPenaltyGrads(): void {
    for (const s of this.slots) if (s.reg && s.grad) optim.addPenaltyGrad(s.value.length, s.reg.l1, s.reg.l2, s.value, s.grad);
  }

  // ---------------------------------------------------------------------------------------------- optimizer

  private state(s: Slot, key: string, fill = 0): Float32Array {
    let a = s.state[key];
    if (!a) {
      a = new Float32Array(s.value.length);
      if (fill !== 0) a.fill(fill);
      s.state[key] = a;
    }
    return a;
  }

  private clip(): void {
    const o = this.opt;
    const trainable = this.slots.filter((s) => s.grad);
    if (o.clipValue !== undefined) for (const s of trainable) optim.clipValue(s.grad!.length, o.clipValue, s.grad!);
    if (o.clipNorm !== undefined) {
      let sq = 0;
      for (const s of trainable) sq += sumSquares(s.grad!.length, s.grad!);
      const norm = Math.sqrt(sq);
      if (norm > o.clipNorm) for (const s of trainable) optim.scaleInplace(s.grad!.length, o.clipNorm / norm, s.grad!);
    }
  }

  private update(lr: number): void {
    const o = this.opt;
    this.t += 1;
    const t = this.t;
    for (const s of this.slots) {
      const g = s.grad;
      if (!g) continue;
      const w = s.value;
      const n = w.length;
      switch (o.kind) {
        case 'sgd':
          optim.sgd(n, lr, o.weightDecay, w, g);
          break;
        case 'momentum':
          optim.momentum(n, lr, o.momentum, o.dampening, o.weightDecay, o.nesterov, t === 1, w, g, this.state(s, 'buf'));
          break;
        case 'adagrad':
          optim.adagrad(n, lr, o.epsilon, o.weightDecay, w, g, this.state(s, 'sumSq', o.initialAccumulatorValue));
          break;
        case 'rmsprop':
          optim.rmsprop(n, lr, o.rho, o.epsilon, o.weightDecay, o.momentum, o.centered, w, g, this.state(s, 'sqAvg'),
            o.centered ? this.state(s, 'gradAvg') : null, o.momentum > 0 ? this.state(s, 'buf') : null);
          break;
        case 'adam':
        case 'adamw':
          optim.adam(n, {
            lr, beta1: o.beta1, beta2: o.beta2, eps: o.epsilon, weightDecay: o.weightDecay,
            bc1: 1 - o.beta1 ** t, bc2: 1 - o.beta2 ** t, amsgrad: o.amsgrad, decoupled: o.kind === 'adamw',
          }, w, g, this.state(s, 'm'), this.state(s, 'v'), o.amsgrad ? this.state(s, 'vmax') : null);
          break;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- steps

  /** One step on the batch already in xb/yb. Returns loss (data + penalty) and metric sums (not means). */
  private stepLoaded(m: number, lr: number, diag: DiagAccumulator | null): Record<string, number> {
    this.forward(m, true, true);
    const penalty = this.penalty();
    const l = this.loss(m, true);
    const sums: Record<string, number> = { loss: (l.value + penalty) * m };
    this.metricSums(m, sums);
    this.backward(m, l.into);
    this.addPenaltyGrads();
    this.clip();
    diag?.beforeUpdate(this.layers);
    this.update(lr);
    diag?.afterUpdate(this.layers, m);
    return sums;
  }

  trainStep(x: Float32Array, y: Float32Array, batch: number): Logs {
    this.checkUsable();
    if (this.busyFlag) throw new SimdnetError('SIMDNET_BUSY', 'The engine is running trainBatches');
    this.checkBatchArrays(x, y, batch);
    this.loadBatch(x, y, batch);
    const sums = this.stepLoaded(batch, this.lr, null);
    return meanLogs(sums, batch);
  }

  private checkBatchArrays(x: Float32Array, y: Float32Array | null, n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected positive integer for the sample count but received ${n}`);
    if (!(x instanceof Float32Array) || x.length < n * this.inputSize)
      throw new SimdnetError('SIMDNET_BUFFER_TOO_SMALL', `x must be a Float32Array of at least ${n * this.inputSize} elements`);
    if (y !== null && (!(y instanceof Float32Array) || y.length < n * this.ySize))
      throw new SimdnetError('SIMDNET_BUFFER_TOO_SMALL', `y must be a Float32Array of at least ${n * this.ySize} elements`);
  }

  async trainBatches(args: TrainBatchesArgs): Promise<TrainBatchesResult> {
    this.checkUsable();
    if (this.busyFlag) throw new SimdnetError('SIMDNET_BUSY', 'The engine is already running trainBatches');
    const { x, y, n, order, batchSize, firstBatch, batchCount, lrPerStep } = args;
    this.checkBatchArrays(x, y, n);
    if (!(order instanceof Uint32Array) || order.length < n) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `order must be a Uint32Array of length ${n}`);
    for (let i = 0; i < n; i++) if (order[i] >= n) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `order[${i}] = ${order[i]} is not a sample index below ${n}`);
    if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(firstBatch) || firstBatch < 0 || !Number.isInteger(batchCount) || batchCount < 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected positive batchSize and non-negative integer firstBatch/batchCount but received ${batchSize}, ${firstBatch}, ${batchCount}`);
    if (lrPerStep && lrPerStep.length < batchCount) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `lrPerStep must have ${batchCount} entries`);
    this.busyFlag = true;
    this.cancelRequested = false;
    const diag = args.diagnostics ? new DiagAccumulator(this.layers) : null;
    const totals: Record<string, number> = {};
    let samples = 0;
    let steps = 0;
    try {
      await yieldToLoop();
      let since = Date.now();
      const inS = this.inputSize;
      const yS = this.ySize;
      for (let b = firstBatch; b < firstBatch + batchCount; b++) {
        if (this.cancelRequested || this.disposedFlag) break;
        const start = b * batchSize;
        const m = Math.min(batchSize, n - start);
        if (m <= 0) break;
        this.ensureCapacity(m);
        for (let r = 0; r < m; r++) {
          const src = order[start + r];
          this.xb.set(x.subarray(src * inS, src * inS + inS), r * inS);
          this.yb.set(y.subarray(src * yS, src * yS + yS), r * yS);
        }
        const lr = lrPerStep ? lrPerStep[b - firstBatch] : this.lr;
        if (lrPerStep) this.lr = lr;
        const sums = this.stepLoaded(m, lr, diag);
        for (const k in sums) totals[k] = (totals[k] ?? 0) + sums[k];
        samples += m;
        steps++;
        if (Date.now() - since >= YIELD_MS) {
          await yieldToLoop();
          since = Date.now();
        }
      }
    } finally {
      this.busyFlag = false;
      this.cancelRequested = false;
    }
    const logs = samples > 0 ? meanLogs(totals, samples) : { loss: NaN };
    return diag ? { steps, logs, diagnostics: diag.result(this.layers) } : { steps, logs };
  }

  cancel(): void {
    if (this.busyFlag) this.cancelRequested = true;
  }

  // ---------------------------------------------------------------------------------------------- inference

  evaluate(x: Float32Array, y: Float32Array, n: number, batchSize: number): Logs {
    this.checkUsable();
    this.checkBatchArrays(x, y, n);
    checkBatchSize(batchSize);
    const totals: Record<string, number> = {};
    const penalty = this.penalty();
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      this.loadBatch(x.subarray(start * this.inputSize), y.subarray(start * this.ySize), m);
      this.forward(m, false, false);
      const l = this.loss(m, false);
      totals.loss = (totals.loss ?? 0) + (l.value + penalty) * m;
      this.metricSums(m, totals);
    }
    return meanLogs(totals, n);
  }

  async evaluateAsync(x: Float32Array, y: Float32Array, n: number, batchSize: number): Promise<Logs> {
    await yieldToLoop();
    return this.evaluate(x, y, n, batchSize);
  }

  predict(x: Float32Array, n: number, batchSize: number): Float32Array {
    this.checkUsable();
    this.checkBatchArrays(x, null, n);
    checkBatchSize(batchSize);
    const out = new Float32Array(n * this.outputSize);
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      this.loadBatch(x.subarray(start * this.inputSize), null, m);
      const y = this.forward(m, false, false);
      out.set(y.subarray(0, m * this.outputSize), start * this.outputSize);
    }
    return out;
  }

  async predictAsync(x: Float32Array, n: number, batchSize: number): Promise<Float32Array> {
    await yieldToLoop();
    return this.predict(x, n, batchSize);
  }
}

function checkBatchSize(b: number): void {
  if (!Number.isInteger(b) || b < 1) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected positive integer for batchSize but received ${b}`);
}

function meanLogs(sums: Record<string, number>, n: number): Logs {
  const out: Logs = { loss: sums.loss / n };
  for (const k in sums) out[k] = sums[k] / n;
  return out;
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Collects LayerDiagnostics over the steps of one trainBatches call (docs/engine.md, Diagnostics). */
class DiagAccumulator {
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

/** The weight a layer's diagnostics describe: dense kernel, batch-norm gamma; null for others. */
function weightOf(rt: Rt): Slot | null {
  return rt.kernel ?? rt.gamma ?? null;
}

