/**
 * Below this many output elements an element-wise kernel stays a JS loop: the N-API call (argument checks, view
 * lookups, the FP-environment guard) costs about as much as a few thousand elements of a monomorphic JS loop.
 * Measured with bench/tfjs/eltwise.mjs on the Zen 4 host (docs/tfjs.md has the figures).
 */
export const NATIVE_MIN_ELEMENTS = 4096;
