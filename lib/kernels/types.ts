/**
 * Types shared by several kernel families (one canonical definition; the families import it from here).
 * `Activation` is both the GEMM epilogue's activation (lib/kernels/gemm.ts) and the element-wise activation of
 * lib/kernels/activations.ts: the same five functions as the native Act enum (native/src/kernels/vunary/vunary.h).
 * The engine's ActivationKind (lib/engine/engine.ts) adds 'softmax', which is a row operation, not an element-wise one.
 */
export type Activation = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu';
