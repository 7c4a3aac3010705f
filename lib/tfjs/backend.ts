/**
 * The 'simdnet' tfjs backend: tfjs-backend-cpu's MathBackendCPU (same storage, same data movement, same CPU kernels
 * behind every native one), under its own name so its kernels can be registered separately from 'cpu'.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export class SimdnetBackend extends MathBackendCPU {
  constructor() {
    super();
    // MathBackendCPU prints "install tfjs-node to speed things up" on its first write in Node; that advice is wrong
    // for this backend, which is the native one.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}
