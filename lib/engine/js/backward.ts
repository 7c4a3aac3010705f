/** JsEngine's backward pass, layer by layer, on the reference kernels. */
import { gemm } from '../../kernels/reference/gemm.js';
import { activationBackward } from '../../kernels/reference/activations.js';
import { softmaxBackward } from '../../kernels/reference/softmax.js';
import { colSum } from '../../kernels/reference/reduce.js';
import { dropoutBackward } from '../../kernels/reference/dropout.js';
import { batchNormBackward } from '../../kernels/reference/batchnorm.js';
import { dInputOf, inputOf, type BatchBuffers, type Rt } from './types.js';

/**
 * Gradients of every trainable parameter for the batch in buf.xb/yb, given the loss gradient already written into
 * the last layer: its pre-activation gradient when `lossInto` is 'pre' (fused loss), else its output gradient.
 */
export function backward(layers: Rt[], buf: BatchBuffers, m: number, lossInto: 'pre' | 'out'): void {
  for (let i = layers.length - 1; i >= 0; i--) {
    const rt = layers[i];
    const s = rt.spec;
    const isLast = i === layers.length - 1;
    const skipAct = isLast && lossInto === 'pre';
    const x = inputOf(layers, buf, i);
    const dx = dInputOf(layers, i);
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
      batchNormBackward(m, rt.outSize, x, rt.dOut, rt.gamma?.value ?? null, rt.saveMean!, rt.saveInvStd!, dx ?? buf.dIn,
        rt.gamma?.grad ?? null, rt.beta?.grad ?? null);
    }
  }
}
