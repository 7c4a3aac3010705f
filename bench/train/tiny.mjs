// The "arithmetic" of one training step of the tiny 2-8(tanh)-1(sigmoid) model, BCE, Adam, batch 1, for
// bench/train.mjs part (a), measured two ways:
//   - cxxReplay(): runs bench/native/engine-bench (built by `cmake --build build-native --target engine-bench`), whose
//     TinyReplay calls the same kernel sequence directly in C++ with no engine, no N-API and no JS: the pure
//     arithmetic. It also prints the C++ engine's own train_step time for the same model.
//   - JsKernelReplay: the same kernel sequence called from JS through simdnet/kernels' `native` namespace (14 addon
//     calls a step), so it carries 14 N-API crossings: an upper bound on the arithmetic, shown for comparison.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where a native bench binary may have been built (tools/ctest.sh's plain build dir first). */
export function findEngineBench(root) {
  const candidates = [process.env.SIMDNET_ENGINE_BENCH, join(root, 'build-native', 'engine-bench'), join(root, 'build', 'engine-bench')];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/**
 * Runs engine-bench and parses its two tiny-model figures (ns per step). The binary picks the ISA the same way the
 * addon does (SIMDNET_ISA honoured); `threads` is pinned to 1 since the tiny model never splits work anyway.
 */
export function cxxReplay(binary) {
  const out = execFileSync(binary, { encoding: 'utf8', env: { ...process.env, SIMDNET_THREADS: '1' }, timeout: 300_000 });
  const isa = /ISA (\w+)/.exec(out)?.[1] ?? 'unknown';
  const m = /engine train_step (\d+) ns, same kernels called directly (\d+) ns/.exec(out);
  if (!m) throw new Error(`unexpected engine-bench output:\n${out}`);
  return { binary, isa, engineNs: Number(m[1]), kernelsNs: Number(m[2]), output: out.trim() };
}

/** Same buffers, initial weights and kernel order as TinyReplay in bench/native/engine-bench.cc. */
export class JsKernelReplay {
  constructor(k) {
    this.k = k; // simdnet/kernels `native` namespace (unvalidated thin wrappers over the addon)
    this.x = Float32Array.of(1, 0);
    this.w1 = Float32Array.from({ length: 16 }, (_, i) => 0.1 * (i % 5) - 0.2);
    this.b1 = new Float32Array(8);
    this.h = new Float32Array(8);
    this.w2 = Float32Array.from({ length: 8 }, (_, i) => 0.05 * i - 0.2);
    this.b2 = new Float32Array(1);
    this.z = new Float32Array(1);
    this.p = new Float32Array(1);
    this.gz = new Float32Array(1);
    this.gw2 = new Float32Array(8);
    this.gb2 = new Float32Array(1);
    this.dh = new Float32Array(8);
    this.gw1 = new Float32Array(16);
    this.gb1 = new Float32Array(8);
    this.m = [16, 8, 8, 1].map((n) => new Float32Array(n));
    this.v = [16, 8, 8, 1].map((n) => new Float32Array(n));
    this.t = 0;
  }

  step(y) {
    const { k } = this;
    k.gemm({ m: 1, n: 8, k: 2, a: this.x, b: this.w1, c: this.h, bias: this.b1, activation: 'tanh' }); // h = tanh(x W1 + b1)
    k.gemm({ m: 1, n: 1, k: 8, a: this.h, b: this.w2, c: this.z, bias: this.b2 }); // z = h W2 + b2
    k.activationForward('sigmoid', 0, 1, this.z, this.p);
    k.bceLogits(1, 1, y, this.z, this.gz);
    k.gemm({ transA: true, m: 8, n: 1, k: 1, a: this.h, b: this.gz, c: this.gw2 }); // dW2 = h^T gz
    k.colSum(1, 1, this.gz, 1, false, this.gb2);
    k.gemm({ transB: true, m: 1, n: 8, k: 1, a: this.gz, b: this.w2, c: this.dh }); // dh = gz W2^T
    k.activationBackward('tanh', 0, 8, this.h, this.h, this.dh, this.dh);
    k.gemm({ transA: true, m: 2, n: 8, k: 1, a: this.x, b: this.dh, c: this.gw1 }); // dW1 = x^T dh
    k.colSum(1, 8, this.dh, 8, false, this.gb1);
    this.t++;
    const a = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 1 - 0.9 ** this.t, bc2: 1 - 0.999 ** this.t, amsgrad: false, decoupled: false };
    k.adam(16, a, this.w1, this.gw1, this.m[0], this.v[0], null);
    k.adam(8, a, this.b1, this.gb1, this.m[1], this.v[1], null);
    k.adam(8, a, this.w2, this.gw2, this.m[2], this.v[2], null);
    k.adam(1, a, this.b2, this.gb2, this.m[3], this.v[3], null);
  }
}
