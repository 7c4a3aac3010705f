/**
 * Below this many output elements an element-wise kernel stays a JS loop: the N-API call (argument checks, view
 * lookups, the FP-environment guard) costs about as much as a hundred or two elements of a monomorphic JS loop.
 * Measured with bench/tfjs/crossover.mjs on the Zen 4 host under load 7-9: same-shape Add breaks even near 128
 * elements (766 ns JS, 822 ns native) and wins from 256 (1518 vs 962 ns); Exp from 64 (1158 vs 746 ns).
 */
export const NATIVE_MIN_ELEMENTS = 256;
