/**
 * Optimizer steps, the pure-TS twin of native/src/kernels/optim (formulas: optim.h, docs/optimizers.md). In place on
 * w and the state buffers; each element is computed in float64 and rounded once when stored (the native kernels
 * round every float32 operation, so results agree to a few ulps, not bit for bit).
 */
export interface AdamArgs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 - beta1^t and 1 - beta2^t for this step t (t = 1 on the first step). */
  bc1: number;
  bc2: number;
  amsgrad: boolean;
  /** true = AdamW (w *= 1 - lr*weightDecay first), false = Adam with PyTorch's coupled L2 (g += weightDecay*w). */
  decoupled: boolean;
}

/** w -= lr * (g + wd*w) */
export function sgd(n: number, lr: number, wd: number, w: Float32Array, g: Float32Array): void {
  for (let i = 0; i < n; i++) w[i] -= lr * (g[i] + wd * w[i]);
}

/** PyTorch SGD with momentum: d = g + wd*w; b = firstStep ? d : mu*b + (1-dampening)*d; w -= lr*(nesterov ? d + mu*b : b). */
export function momentum(n: number, lr: number, mu: number, dampening: number, wd: number, nesterov: boolean,
                         firstStep: boolean, w: Float32Array, g: Float32Array, buf: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const d = g[i] + wd * w[i];
    buf[i] = firstStep ? d : mu * buf[i] + (1 - dampening) * d;
    const b = buf[i];
    w[i] -= lr * (nesterov ? d + mu * b : b);
  }
}

/** PyTorch Adagrad (lr_decay 0): d = g + wd*w; s += d^2; w -= lr * d / (sqrt(s) + eps). */
export function adagrad(n: number, lr: number, eps: number, wd: number, w: Float32Array, g: Float32Array,
                        sumSq: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const d = g[i] + wd * w[i];
    sumSq[i] += d * d;
    w[i] -= (lr * d) / (Math.sqrt(sumSq[i]) + eps);
  }
}

/**
 * PyTorch RMSprop (rho = PyTorch's alpha): v = rho*v + (1-rho)*d^2; centered: a = rho*a + (1-rho)*d, den =
 * sqrt(max(v - a^2, 0)) + eps, else sqrt(v) + eps; momentum > 0: buf = momentum*buf + d/den, w -= lr*buf; else
 * w -= lr*d/den.
 */
export function rmsprop(n: number, lr: number, rho: number, eps: number, wd: number, momentum: number,
                        centered: boolean, w: Float32Array, g: Float32Array, sqAvg: Float32Array,
                        gradAvg: Float32Array | null, buf: Float32Array | null): void {
  for (let i = 0; i < n; i++) {
    const d = g[i] + wd * w[i];
    sqAvg[i] = rho * sqAvg[i] + (1 - rho) * d * d;
    let variance = sqAvg[i];
    if (centered) {
      gradAvg![i] = rho * gradAvg![i] + (1 - rho) * d;
      variance = sqAvg[i] - gradAvg![i] * gradAvg![i];
      if (variance < 0) variance = 0;
    }
    const step = d / (Math.sqrt(variance) + eps);
    if (momentum > 0) {
      buf![i] = momentum * buf![i] + step;
      w[i] -= lr * buf![i];
    } else {
      w[i] -= lr * step;
    }
  }
}

/**
 * PyTorch Adam / AdamW: (AdamW: w *= 1 - lr*wd; Adam: d = g + wd*w); m = b1 m + (1-b1) d; v = b2 v + (1-b2) d^2;
 * amsgrad: vmax = max(vmax, v) is used for v; w -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps).
 */
export function adam(n: number, args: AdamArgs, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
                     vmax: Float32Array | null): void {
  const { lr, beta1, beta2, eps, weightDecay, bc1, bc2, amsgrad, decoupled } = args;
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const wd = decoupled ? 0 : weightDecay;
  const stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
  for (let i = 0; i < n; i++) {
    w[i] *= decay;
    const d = g[i] + wd * w[i];
    m[i] = beta1 * m[i] + (1 - beta1) * d;
    v[i] = beta2 * v[i] + (1 - beta2) * d * d;
    let vu = v[i];
    if (amsgrad) {
      vmax![i] = Math.max(vmax![i], vu);  // a NaN on either side propagates, as torch.maximum
      vu = vmax![i];
    }
    w[i] -= (stepSize * m[i]) / (Math.sqrt(vu) / bc2Sqrt + eps);
  }
}

/** Keras L1/L2 penalty gradient: g += l1*sign(w) + 2*l2*w (sign(0) = 0). */
export function addPenaltyGrad(n: number, l1: number, l2: number, w: Float32Array, g: Float32Array): void {
  for (let i = 0; i < n; i++) g[i] += l1 * Math.sign(w[i]) + 2 * l2 * w[i];
}

/** Keras penalty: l1 * sum|w| + l2 * sum w^2 (float64 sums). */
export function penaltyValue(n: number, l1: number, l2: number, w: Float32Array): number {
  let s1 = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    s1 += Math.abs(w[i]);
    s2 += w[i] * w[i];
  }
  return l1 * s1 + l2 * s2;
}

/** Clamps g into [-clip, clip]; NaN stays NaN. Bit-identical to native. */
export function clipValue(n: number, clip: number, g: Float32Array): void {
  clip = Math.fround(clip); // the native kernel's bound is a float32
  for (let i = 0; i < n; i++) {
    const x = g[i];
    g[i] = x < -clip ? -clip : x > clip ? clip : x;
  }
}

/** x *= s (clip by global norm: s = clipNorm / max(norm, clipNorm)). Bit-identical to native. */
export function scaleInplace(n: number, s: number, x: Float32Array): void {
  s = Math.fround(s); // as the native kernel: a float32 factor, so both round the same product
  for (let i = 0; i < n; i++) x[i] *= s;
}
