// The Node contenders of the training/inference benchmark, one adapter each with the same shape:
//   build()                      fresh model 784-128(ReLU)-64(ReLU)-10(softmax), categorical CE, Adam 1e-3
//   prepare(x, y, n)             turn the data into the library's input form (untimed)
//   fitEpochs(x, y, n, epochs, onEpochEnd)
//                                ONE fit call of `epochs` epochs over the first n samples, batch 128, reshuffled
//                                every epoch, calling onEpochEnd() after each; returns fit's promise
//   predict(x, n)                probabilities for n samples, batches of 1000
//   predictSync(x, n, batch)     (simdnet) the blocking call, batches of `batch` (default 1000)
//   memoryBytes()                native (or typed-array) bytes the model holds, when the library can tell
//   dispose()
// x is n x features float32, y is n x classes one-hot float32.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { distDir } from './common.mjs';

const require = createRequire(import.meta.url);
const HIDDEN = [128, 64];

async function loadTf(backend) {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the backend reads its .wasm files from disk: point it at the package's dist directory.
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  return tf;
}

export async function tfjsContender(backend, { features, classes, batchSize, seed }) {
  const tf = await loadTf(backend);
  let model = null;
  let cache = null;
  const variant =
    backend === 'wasm'
      ? `tfjs-backend-wasm (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'on' : 'off'})`
      : 'tfjs-backend-cpu';
  return {
    name: `tfjs-${backend}`,
    framework: `tfjs-layers ${tf.version.tfjs}, ${variant}`,
    isa: backend === 'wasm' ? (tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'WASM SIMD128' : 'WASM scalar') : 'JS (V8 scalar)',
    threads: 1,
    build() {
      model?.dispose();
      model = tf.sequential({
        layers: [
          tf.layers.dense({ units: HIDDEN[0], activation: 'relu', inputShape: [features], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
          tf.layers.dense({ units: HIDDEN[1], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
          tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    },
    prepare(x, y, n) {
      // Tensors are made once per data size and kept, as a tfjs user training several epochs would, and outside
      // the timed and lag-monitored fit calls (simdnet reads the Float32Arrays in place: nothing to prepare).
      if (!cache || cache.n !== n || cache.x !== x) {
        cache?.xs.dispose();
        cache?.ys.dispose();
        cache = { n, x, xs: tf.tensor2d(x.subarray(0, n * features), [n, features]), ys: tf.tensor2d(y.subarray(0, n * classes), [n, classes]) };
      }
    },
    fitEpochs(x, y, n, epochs = 1, onEpochEnd = () => {}) {
      this.prepare(x, y, n);
      return model.fit(cache.xs, cache.ys, { epochs, batchSize, shuffle: true, verbose: 0, callbacks: { onEpochEnd: async () => onEpochEnd() } });
    },
    async predict(x, n) {
      const xs = tf.tensor2d(x.subarray(0, n * features), [n, features]);
      const out = model.predict(xs, { batchSize: 1000 });
      const data = await out.data();
      xs.dispose();
      out.dispose();
      return data;
    },
    memoryBytes() {
      // Bytes of the model's own tensors (weights + Adam moments), not the cached data set.
      return tf.memory().numBytes - (cache ? (cache.xs.size + cache.ys.size) * 4 : 0);
    },
    dispose() {
      model?.dispose();
      cache?.xs.dispose();
      cache?.ys.dispose();
    },
  };
}

export async function simdnetContender(backend, { features, classes, batchSize, seed, threads }) {
  const api = await import(join(distDir, 'index.js'));
  const { setThreads, runtimeInfo } = await import(join(distDir, 'backend.js'));
  if (backend === 'native') {
    const { native } = await import(join(distDir, 'native.js'));
    if (!native) throw new Error('the native addon is not loaded (run npm run build)');
    setThreads(threads);
  }
  const rt = runtimeInfo();
  let model = null;
  return {
    name: backend === 'native' ? `simdnet-native-${threads}t` : 'simdnet-js',
    framework: backend === 'native' ? `simdnet native engine (${rt.isa}, ${threads} thread${threads > 1 ? 's' : ''})` : 'simdnet JS engine (pure-TS kernels)',
    isa: backend === 'native' ? rt.isa : 'JS (V8 scalar)',
    threads: backend === 'native' ? threads : 1,
    build() {
      model?.dispose?.();
      model = new api.Sequential([
        new api.Dense({ units: HIDDEN[0], activation: 'relu', inputShape: [features] }),
        new api.Dense({ units: HIDDEN[1], activation: 'relu' }),
        new api.Dense({ units: classes, activation: 'softmax' }),
      ]);
      model.compile({ optimizer: api.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'], backend, seed });
    },
    prepare() {},
    fitEpochs(x, y, n, epochs = 1, onEpochEnd = () => {}) {
      // Flat Float32Arrays are read in place by fit (no copy), the cheapest input form simdnet offers.
      return model.fit(x.subarray(0, n * features), y.subarray(0, n * classes), {
        epochs,
        batchSize,
        shuffle: true,
        verbose: 0,
        callbacks: [{ onEpochEnd: () => onEpochEnd() }],
      });
    },
    async predict(x, n) {
      const out = await model.predictAsync(x.subarray(0, n * features), { batchSize: 1000 });
      return out.data();
    },
    // The blocking form, as PyTorch's model(x) and numpy calls are: predict reads the Float32Array in place, where
    // predictAsync first copies it (its snapshot: a caller may write to or transfer the array while the job runs).
    predictSync(x, n, batch = 1000) {
      return model.predict(x.subarray(0, n * features), { batchSize: batch }).data();
    },
    memoryBytes() {
      return model.memoryBytes?.() ?? null;
    },
    dispose() {
      model?.dispose?.();
    },
  };
}
