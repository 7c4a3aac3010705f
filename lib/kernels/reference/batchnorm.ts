/**
 * Batch normalization over the rows of an m x n row-major matrix (one statistic per feature column), the pure-TS
 * twin of native/src/kernels/batchnorm with Keras semantics: biased batch variance, eps added to the variance,
 * running = momentum*running + (1-momentum)*batch (moving_mean/moving_variance), gamma/beta null = 1/0.
 * Float64 math throughout; the arrays may also be Float64Arrays (the backward is gradient-checked that way).
 */

export function batchNormForwardTrain(m: number, n: number, momentum: number, eps: number, x: Float32Array,
  gamma: Float32Array | null, beta: Float32Array | null, runningMean: Float32Array | null, runningVar: Float32Array | null,
  saveMean: Float32Array, saveInvStd: Float32Array, y: Float32Array): Float32Array {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += x[i * n + j];
    const mean = s / m;
    let ss = 0;
    for (let i = 0; i < m; i++) {
      const d = x[i * n + j] - mean;
      ss += d * d;
    }
    const variance = ss / m;
    const inv = 1 / Math.sqrt(variance + eps);
    saveMean[j] = mean;
    saveInvStd[j] = inv;
    if (runningMean) runningMean[j] = momentum * runningMean[j] + (1 - momentum) * mean;
    if (runningVar) runningVar[j] = momentum * runningVar[j] + (1 - momentum) * variance;
    const g = gamma ? gamma[j] : 1, b = beta ? beta[j] : 0;
    for (let i = 0; i < m; i++) y[i * n + j] = g * (x[i * n + j] - mean) * inv + b;
  }
  return y;
}

export function batchNormForwardInfer(m: number, n: number, eps: number, x: Float32Array, gamma: Float32Array | null,
  beta: Float32Array | null, runningMean: Float32Array, runningVar: Float32Array, y: Float32Array): Float32Array {
  for (let j = 0; j < n; j++) {
    const inv = 1 / Math.sqrt(runningVar[j] + eps);
    const g = gamma ? gamma[j] : 1, b = beta ? beta[j] : 0;
    for (let i = 0; i < m; i++) y[i * n + j] = g * (x[i * n + j] - runningMean[j]) * inv + b;
  }
  return y;
}

/** Training-mode backward: dgamma = sum dy*xhat, dbeta = sum dy, dx = gamma*inv/m * (m dy - sum dy - xhat sum dy*xhat). */
export function batchNormBackward(m: number, n: number, x: Float32Array, dy: Float32Array, gamma: Float32Array | null,
  saveMean: Float32Array, saveInvStd: Float32Array, dx: Float32Array, dgamma: Float32Array | null,
  dbeta: Float32Array | null): Float32Array {
  for (let j = 0; j < n; j++) {
    const mean = saveMean[j], inv = saveInvStd[j];
    let sdy = 0, sdyx = 0;
    for (let i = 0; i < m; i++) {
      sdy += dy[i * n + j];
      sdyx += dy[i * n + j] * (x[i * n + j] - mean) * inv;
    }
    if (dgamma) dgamma[j] = sdyx;
    if (dbeta) dbeta[j] = sdy;
    const k = ((gamma ? gamma[j] : 1) * inv) / m;
    for (let i = 0; i < m; i++) {
      const xhat = (x[i * n + j] - mean) * inv;
      dx[i * n + j] = k * (m * dy[i * n + j] - sdy - xhat * sdyx);
    }
  }
  return dx;
}
