/**
 * A copy of src as a view at byteOffset 4 into a buffer one element longer at each end, both filled with 777, so
 * tests can check that a kernel writes neither before nor after its view (`view.buffer`).
 */
export function offsetView(src: Float32Array): Float32Array {
  const big = new Float32Array(src.length + 2).fill(777);
  big.set(src, 1);
  return big.subarray(1, src.length + 1);
}
