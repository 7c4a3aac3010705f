// One rank of a distributed-training test (test/distributed/*.test.ts), or the single-process reference run.
// argv[2]: JSON options (below). Writes <out>/<mode>-<rank>.json: the final weights (float32 bits, base64), the
// history and the group. Uses the built package (dist/).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sequential, Dense, BatchNormalization, optimizers, distributed, tensor } from '../../../dist/index.js';

const o = JSON.parse(process.argv[2]);
// o: { out, mode: 'dist' | 'ref' | 'plain', optimizer, lr, n, batch, epochs, dropLast, shuffle, data: 'exact' |
//      'random', modelSeed: number | 'rank', fitSeed, size (ref: the group size to reproduce), throwOnRank,
//      badDataOnRank, batchNorm, initOnly }

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const inDim = 4, outDim = 2;
function data() {
  const r = rng(12345);
  const x = new Float32Array(o.n * inDim), y = new Float32Array(o.n * outDim);
  for (let i = 0; i < x.length; i++) x[i] = o.data === 'exact' ? Math.floor(r() * 4) - 2 : r() * 2 - 1;
  for (let i = 0; i < y.length; i++) y[i] = o.data === 'exact' ? Math.floor(r() * 4) - 2 : r() * 2 - 1;
  return { x, y };
}

function model(seed) {
  const exact = o.data === 'exact';
  const layers = exact
    // A linear model from zero weights: with small integer data, power-of-two batches and a power-of-two rate every
    // partial sum of the first steps is exact, so any summation order gives the same bits.
    ? [new Dense({ units: outDim, inputShape: [inDim], kernelInitializer: 'zeros' })]
    : [
        new Dense({ units: 8, activation: 'tanh', inputShape: [inDim], kernelRegularizer: { l2: 1e-3 } }),
        ...(o.batchNorm ? [new BatchNormalization()] : []),
        new Dense({ units: outDim }),
      ];
  const m = new Sequential(layers);
  const opt = o.optimizer === 'adam' ? optimizers.adam({ learningRate: o.lr })
    : o.optimizer === 'rmsprop' ? optimizers.rmsprop({ learningRate: o.lr, momentum: 0.5 })
    : optimizers.sgd({ learningRate: o.lr });
  m.compile({ optimizer: opt, loss: 'meanSquaredError', metrics: ['mae'], seed });
  return m;
}

function b64(weights) {
  const parts = weights.map((t) => t.data());
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { all.set(p, off); off += p.length; }
  return Buffer.from(all.buffer).toString('base64');
}

const { x, y } = data();
let result;
if (o.mode === 'ref') {
  const m = model(o.modelSeed === 'rank' ? 100 : o.modelSeed);
  const history = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = distributed.globalOrder({ n: o.n, size: o.size, seed: o.fitSeed, epoch, shuffle: o.shuffle, dropLast: o.dropLast });
    const xr = new Float32Array(order.length * inDim), yr = new Float32Array(order.length * outDim);
    order.forEach((i, k) => { xr.set(x.subarray(i * inDim, (i + 1) * inDim), k * inDim); yr.set(y.subarray(i * outDim, (i + 1) * outDim), k * outDim); });
    const h = await m.fit(xr, yr, { epochs: 1, batchSize: o.batch * o.size, shuffle: false, verbose: 0 });
    history.push(h.history.loss[0]);
  }
  result = { rank: 0, size: 1, weights: b64(m.getWeights()), loss: history };
} else if (o.mode === 'dataset') {
  // fitDataset: each rank yields the batches of its own shard (the sampler's, so the global batches equal fit's);
  // o.extraBatchOnRank yields one more batch there (an uneven source: the epoch ends when the shortest ends).
  const g = await distributed.init();
  const m = model(o.modelSeed === 'rank' ? 100 + g.rank : o.modelSeed);
  const before = b64(m.getWeights());
  const source = (epoch) => function* () {
    const idx = distributed.shardOrder({ n: o.n, size: g.size, rank: g.rank, seed: o.fitSeed, epoch, shuffle: o.shuffle, dropLast: o.dropLast });
    const count = Math.ceil(idx.length / o.batch) + (o.extraBatchOnRank === g.rank ? 1 : 0);
    for (let k = 0; k < count; k++) {
      const rows = Array.from(idx.subarray((k * o.batch) % idx.length, Math.min(idx.length, (k * o.batch) % idx.length + o.batch)));
      const xs = new Float32Array(rows.length * inDim), ys = new Float32Array(rows.length * outDim);
      rows.forEach((i, r) => { xs.set(x.subarray(i * inDim, (i + 1) * inDim), r * inDim); ys.set(y.subarray(i * outDim, (i + 1) * outDim), r * outDim); });
      yield { xs: tensor(xs, [rows.length, inDim]), ys: tensor(ys, [rows.length, outDim]) };
    }
  };
  const loss = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const h = await m.fitDataset(source(epoch), { epochs: 1, distributed: g });
    loss.push(h.history.loss[0]);
  }
  result = { rank: g.rank, size: g.size, kind: g.kind, before, weights: b64(m.getWeights()), loss };
} else {
  const g = await distributed.init();
  const m = model(o.modelSeed === 'rank' ? 100 + g.rank : o.modelSeed);
  let yy = y;
  if (o.badDataOnRank === g.rank) yy = new Float32Array(3); // wrong shape: fit throws on this rank only
  const before = b64(m.getWeights());
  const h = await m.fit(x, yy, {
    epochs: o.epochs, batchSize: o.batch, shuffle: o.shuffle, seed: o.fitSeed + (o.fitSeedPerRank ? g.rank : 0), verbose: 0, dropLast: o.dropLast,
    distributed: o.mode === 'dist' ? g : undefined,
    callbacks: [
      { onBatchEnd: (b) => { if (o.throwOnRank === g.rank && b === 1) throw new Error(`planted failure on rank ${g.rank}`); } },
      // o.rootStops: what EarlyStopping with restoreBestWeights does, on the rank that runs callbacks (rank 0)
      ...(o.rootStops ? [{
        onEpochEnd: (e) => { if (e === 0) m.stopTraining = true; },
        onTrainEnd: () => m.setWeights(m.getWeights().map((t) => t.data().map((v) => v / 2))),
      }] : []),
    ],
  });
  result = { rank: g.rank, size: g.size, kind: g.kind, isRoot: g.isRoot, before, weights: b64(m.getWeights()), loss: h.history.loss, mae: h.history.mae, stoppedBy: h.stoppedBy ?? null };
}
writeFileSync(join(o.out, `${o.mode}-${result.rank}.json`), JSON.stringify(result));
