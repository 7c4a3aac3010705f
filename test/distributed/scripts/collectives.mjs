// group.allreduce / broadcast / barrier on every rank; prints one JSON line per rank.
import { distributed } from '../../../dist/index.js';

const g = await distributed.init();
const a = new Float32Array([g.rank + 1, 0.5, -g.rank]);
await g.allreduce(a);
const avg = new Float64Array([g.rank, 1]);
await g.allreduce(avg, { average: true });
const b = new Float64Array([g.rank === g.size - 1 ? 42.25 : -1]);
await g.broadcast(b, g.size - 1);
// a large buffer: 3 x 2^20 floats
const big = new Float32Array(3 << 20).fill(g.rank + 1);
await g.allreduce(big);
await g.barrier();
console.log(JSON.stringify({ rank: g.rank, size: g.size, isRoot: g.isRoot, kind: g.kind, a: [...a], avg: [...avg], b: b[0], big: [big[0], big[big.length - 1]] }));
