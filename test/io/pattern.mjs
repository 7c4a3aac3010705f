// Weights that encode a save's number k exactly in float32 (crash-loop.test.ts, save-child.mjs): every value is
// k + (small multiple of 1/1024), so the loaded model tells which save it is and can be compared bit for bit.
export const MODELS = {
  small: { input: 4, units: [6, 3] }, // 51 parameters
  large: { input: 256, units: [1024, 256] }, // 525,568 parameters: 2 MB of weights plus 4 MB of Adam state
};

export function pattern(k, shapes) {
  return shapes.map((shape, p) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return Float32Array.from({ length: n }, (_, j) => k + ((p * 131 + j) % 1024) / 1024);
  });
}
