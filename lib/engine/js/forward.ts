/** JsEngine's forward pass, layer by layer, on the reference kernels. */
import { gemm } from '../../kernels/reference/gemm.js';
import { activationForward } from '../../kernels/reference/activations.js';
import { softmaxForward } from '../../kernels/reference/softmax.js';
import { dropoutForward } from '../../kernels/reference/dropout.js';
import { batchNormForwardInfer, batchNormForwardTrain } from '../../kernels/reference/batchnorm.js';
import { kernelAct, type Rt } from './types.js';

/**
 * Runs the forward pass on rows [0, m) of `xb`; returns the output buffer (last layer's y). `seed` is the plan seed
 * (for dropout layers without their own) and `t` the number of steps taken before this one.
 */
export function forward(layers: Rt[], xb: Float32Array, m: number, training: boolean, updateStats: boolean,
  seed: number, t: number): Float32Array {
  let x: Float32Array = xb;
  for (const rt of layers) {
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
        dropoutForward(n, s.rate, s.seed ?? seed, rt.index * 2 ** 40 + t, 0, x, rt.y, rt.mask!);
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
