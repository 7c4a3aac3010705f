// Child process of crash-loop.test.ts: saves the same model over and over to one path, with weights that encode
// the save's number k (pattern.mjs), printing `begin k` before each save and `done k` after it. The parent kills it
// with SIGKILL at random moments. Runs the built package (dist/) on the JS engine: no addon needed.
// Usage: node save-child.mjs <path> <small|large> <first k>
import { Sequential } from '../../dist/models/sequential.js';
import { Dense } from '../../dist/layers/dense.js';
import { MODELS, pattern } from './pattern.mjs';

const [path, kind, first] = process.argv.slice(2);
const spec = MODELS[kind];
const model = new Sequential(spec.units.map((units, i) => new Dense({ units, ...(i === 0 ? { inputShape: [spec.input] } : {}) })));
model.compile({ optimizer: 'adam', loss: 'mse', backend: 'js', seed: 1 });
const shapes = model.getWeights().map((w) => w.shape);
// stdout to a pipe is synchronous on Linux: a line written is in the pipe before the next save starts.
for (let k = Number(first); ; k++) {
  model.setWeights(pattern(k, shapes));
  process.stdout.write(`begin ${k}\n`);
  await model.save(path);
  process.stdout.write(`done ${k}\n`);
}
