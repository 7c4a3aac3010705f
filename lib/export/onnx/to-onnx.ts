/**
 * toOnnx: a Sequential model as an ONNX ModelProto (issue 14). Inference graph only:
 *   Dense              -> Gemm(input, kernel, bias), transB = 0: simdnet stores the kernel [in][out] (Keras layout),
 *                         which is Gemm's B without a transpose (Y = A B + C, A = [batch, in])
 *   relu/sigmoid/tanh  -> Relu / Sigmoid / Tanh
 *   leakyRelu          -> LeakyRelu with alpha always written (ONNX's default is 0.01, Keras's 0.3)
 *   softmax            -> Softmax(axis = -1), after a Div by the temperature when it is not 1
 *   linear, Dropout    -> nothing (Dropout is the identity at inference)
 *   BatchNormalization -> BatchNormalization(X, scale, B, mean, var, epsilon) with the moving statistics; with
 *                         foldBatchNorm, folded into the Gemm it directly follows (a Dense with a linear activation)
 * The input is `input` [batch, features] (batch a dim_param, so any batch size runs), the output `output`.
 */
import { createRequire } from 'node:module';
import type { ActivationSpec, LayerSpec } from '../../engine/engine.js';
import { SimdnetError, describe } from '../../errors.js';
import type { Sequential } from '../../models/sequential.js';
import { encodeModel, type Attribute, type Initializer, type Node } from './messages.js';

export interface ToOnnxOptions {
  /** ai.onnx opset to declare, 13 (default) to 21; the IR version follows it (13 -> 7, ..., 21 -> 10). */
  opset?: number;
  /** Fold each BatchNormalization that directly follows a linear Dense into that Dense's Gemm (default false). */
  foldBatchNorm?: boolean;
  /** The graph's name (default: the model's name). */
  graphName?: string;
}

/** The IR version each opset first shipped with (onnx/helper.py VERSION_TABLE): the oldest IR that can hold it. */
const IR_FOR_OPSET: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };
const KEYS = ['opset', 'foldBatchNorm', 'graphName'];

/** lib/export/onnx/to-onnx.ts and dist/export/onnx/to-onnx.js both sit three levels below the package root. */
const VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

function checkOptions(options: unknown): Required<Omit<ToOnnxOptions, 'graphName'>> & { graphName?: string } {
  if (options === undefined) return { opset: 13, foldBatchNorm: false };
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for toOnnx() but received ${describe(options)}`);
  const o = options as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown toOnnx() option ${unknown[0]} (expected ${KEYS.join(', ')})`);
  const opset = o.opset ?? 13;
  if (typeof opset !== 'number' || !(opset in IR_FOR_OPSET))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an opset from 13 to 21 for toOnnx() but received ${describe(o.opset)}`);
  if (o.foldBatchNorm !== undefined && typeof o.foldBatchNorm !== 'boolean')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a boolean for foldBatchNorm but received ${describe(o.foldBatchNorm)}`);
  if (o.graphName !== undefined && (typeof o.graphName !== 'string' || o.graphName === ''))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a non-empty string for graphName but received ${describe(o.graphName)}`);
  return { opset, foldBatchNorm: o.foldBatchNorm === true, graphName: o.graphName as string | undefined };
}

/** Builds the node list: `cur` is the name of the tensor the next node reads. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  cur = 'input';
  private used = new Set<string>(['input', 'output']);

  /** A tensor name unique in the graph (layer names are unique, but a user may name a layer 'input'). */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  constant(name: string, dims: number[], values: Float32Array): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims, values });
    return n;
  }

  add(opType: string, layer: string, extraInputs: string[], attributes?: Attribute[]): void {
    const out = this.fresh(`${layer}/${opType}`);
    this.nodes.push({ opType, name: this.fresh(`${layer}/${opType}_node`), inputs: [this.cur, ...extraInputs], outputs: [out], attributes });
    this.cur = out;
  }

  activation(a: ActivationSpec, layer: string): void {
    switch (a.kind) {
      case 'linear': return;
      case 'relu': return this.add('Relu', layer, []);
      case 'sigmoid': return this.add('Sigmoid', layer, []);
      case 'tanh': return this.add('Tanh', layer, []);
      case 'leakyRelu': return this.add('LeakyRelu', layer, [], [{ name: 'alpha', float: a.alpha ?? 0.01 }]);
      case 'softmax': {
        const t = a.temperature ?? 1;
        if (t !== 1) this.add('Div', layer, [this.constant(`${layer}/temperature`, [], Float32Array.of(t))]);
        return this.add('Softmax', layer, [], [{ name: 'axis', int: -1 }]);
      }
      default:
        throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `Cannot export activation ${describe((a as ActivationSpec).kind)} of layer ${layer} to ONNX`);
    }
  }
}

/** Per-feature scale s = gamma / sqrt(var + eps) and shift beta - mean * s of an inference-form BatchNormalization. */
function bnAffine(size: number, eps: number, p: Map<string, Float32Array>): { s: Float64Array; shift: Float64Array } {
  const gamma = p.get('gamma'), beta = p.get('beta'), mean = p.get('moving_mean')!, variance = p.get('moving_variance')!;
  const s = new Float64Array(size), shift = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    s[j] = (gamma ? gamma[j] : 1) / Math.sqrt(variance[j] + Math.fround(eps));
    shift[j] = (beta ? beta[j] : 0) - mean[j] * s[j];
  }
  return { s, shift };
}

/** The ONNX bytes of a Sequential model (built: it knows its input size). */
export function toOnnx(model: Sequential, options?: ToOnnxOptions): Uint8Array {
  const opts = checkOptions(options);
  if (model === null || typeof model !== 'object' || typeof (model as Partial<Sequential>).getWeights !== 'function')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a Sequential model for toOnnx() but received ${describe(model)}`);
  const weights = model.getWeights();
  const values = weights.map((t) => t.data());
  for (const t of weights) t.dispose();
  const infos = model.engine.params();
  const specs: LayerSpec[] = model.layers.map((l) => l.toSpec());
  // Per layer: its parameters by short name ('kernel', 'bias', 'gamma', 'moving_mean', ...).
  const params = specs.map(() => new Map<string, Float32Array>());
  infos.forEach((p, i) => params[p.layerIndex].set(p.name.slice(p.name.lastIndexOf('/') + 1), values[i]));

  const g = new GraphBuilder();
  for (let li = 0; li < specs.length; li++) {
    const spec = specs[li];
    const p = params[li];
    switch (spec.type) {
      case 'dense': {
        const kernel = p.get('kernel')!;
        let bias = p.get('bias') ?? null;
        let w = kernel;
        const next = specs[li + 1];
        const fold = opts.foldBatchNorm && spec.activation.kind === 'linear' && next?.type === 'batchNormalization';
        if (fold) {
          // y = (x W + b) * s + shift = x (W diag(s)) + (b * s + shift), in float64 then rounded once.
          const { s, shift } = bnAffine(spec.units, next.epsilon, params[li + 1]);
          w = new Float32Array(kernel.length);
          for (let i = 0; i < spec.inputSize; i++) for (let j = 0; j < spec.units; j++) w[i * spec.units + j] = kernel[i * spec.units + j] * s[j];
          const b = new Float32Array(spec.units);
          for (let j = 0; j < spec.units; j++) b[j] = (bias ? bias[j] : 0) * s[j] + shift[j];
          bias = b;
        }
        const inputs = [g.constant(`${spec.name}/kernel`, [spec.inputSize, spec.units], w)];
        if (bias) inputs.push(g.constant(`${spec.name}/bias`, [spec.units], bias));
        g.add('Gemm', spec.name, inputs, [{ name: 'transB', int: 0 }]);
        if (fold) li++;  // the BatchNormalization is inside the Gemm now
        g.activation(spec.activation, spec.name);
        break;
      }
      case 'activation':
        g.activation(spec.activation, spec.name);
        break;
      case 'dropout':
        break;
      case 'batchNormalization': {
        const n = spec.size;
        const scale = p.get('gamma') ?? new Float32Array(n).fill(1);
        const beta = p.get('beta') ?? new Float32Array(n);
        g.add('BatchNormalization', spec.name, [
          g.constant(`${spec.name}/gamma`, [n], scale), g.constant(`${spec.name}/beta`, [n], beta),
          g.constant(`${spec.name}/moving_mean`, [n], p.get('moving_mean')!), g.constant(`${spec.name}/moving_variance`, [n], p.get('moving_variance')!),
        ], [{ name: 'epsilon', float: spec.epsilon }]);
        break;
      }
      default:
        throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `Cannot export layer ${(spec as LayerSpec).name} of type ${describe((spec as { type: unknown }).type)} to ONNX`);
    }
  }
  // The graph's output must be a node's output named `output`: rename the last tensor, or add an Identity when
  // no node was emitted (a model of only linear/Dropout layers) since an input cannot be an output by name.
  if (g.nodes.length === 0) g.add('Identity', 'output', []);
  g.nodes[g.nodes.length - 1].outputs = ['output'];

  const outputSize = model.outputSize;
  return encodeModel({
    irVersion: IR_FOR_OPSET[opts.opset], opset: opts.opset, producerName: 'simdnet', producerVersion: VERSION,
    graph: {
      name: opts.graphName ?? model.name, nodes: g.nodes, initializers: g.initializers,
      inputs: [{ name: 'input', dims: ['batch', model.inputSize] }], outputs: [{ name: 'output', dims: ['batch', outputSize] }],
    },
  });
}
