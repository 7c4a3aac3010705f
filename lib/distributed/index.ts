/**
 * simdnet.distributed: data-parallel training across processes and machines over Open MPI (docs/distributed.md).
 *
 *   const group = await distributed.init();          // { rank, size, isRoot, allreduce, broadcast, barrier }
 *   await model.fit(x, y, { distributed: group, batchSize: 64 }); // batchSize per rank
 *
 * Launch with `mpirun -np N node train.mjs`; without mpirun the group has one process and fit runs as usual.
 */
export { init, launchedByMpirun, type Group, type FloatArray } from './group.js';
export { globalOrder, shardOrder, type ShardOptions } from './sampler.js';
