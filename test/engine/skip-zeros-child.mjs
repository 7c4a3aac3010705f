// Child process for predict-skip-zeros.test.ts: predicts a seeded 784-128(relu)-10(softmax) model on 2,000 rows that
// are half zeros (a blank border and scattered blank pixels, as images have), on the native backend, and prints the
// output's bytes as base64. SIMDNET_SKIP_ZEROS=0 in the environment keeps the GEMM's dense path (read once per
// process, so the comparison needs two processes).
//
//   node skip-zeros-child.mjs <dist/index.js>
const [distIndex] = process.argv.slice(2);
const { Sequential, Dense, optimizers } = await import(distIndex);
const F = 784, N = 2000;
const x = new Float32Array(N * F);
let s = 12345;
const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
for (let i = 0; i < N; i++)
  for (let p = 0; p < F; p++) {
    const r = Math.floor(p / 28), c = p % 28;
    const blank = r < 4 || r >= 24 || c < 4 || c >= 24 || rand() < 0.25 || i % 97 === 0; // every 97th row all zeros
    x[i * F + p] = blank ? 0 : rand();
  }
const model = new Sequential([new Dense({ units: 128, activation: 'relu', inputShape: [F] }), new Dense({ units: 10, activation: 'softmax' })]);
model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy', backend: 'native', seed: 3 });
const out = model.predict(x, { batchSize: 1000 });
const data = out.data ? await out.data() : out;
process.stdout.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'));
