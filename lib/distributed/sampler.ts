/**
 * Sharding of a data set over the ranks of a group, as PyTorch's DistributedSampler does
 * (torch/utils/data/distributed.py): one permutation of [0, n) per epoch, the same on every rank since it depends
 * only on (seed, epoch); extended to a multiple of the group size by repeating its head (dropLast false) or cut to
 * one (dropLast true); rank r takes positions r, r + size, r + 2 size, ... So every rank gets the same number of
 * samples, and with per-rank batch b the k-th local batches of all ranks together are positions
 * [k b size, (k + 1) b size) of the global order: the k-th batch of one process with batch b * size.
 */
import { SimdnetError } from '../errors.js';
import { identityOrder, shuffledOrder, shuffleStream } from '../models/shuffle.js';

export interface ShardOptions {
  /** Samples in the data set. */
  n: number;
  size: number;
  /** Permute each epoch (default true); false keeps 0, 1, ..., n - 1. */
  shuffle?: boolean;
  seed: number;
  epoch: number;
  /** Cut the order to a multiple of size instead of padding it (default false). */
  dropLast?: boolean;
}

/** The epoch's global order: length a multiple of size. Rank r's shard is its positions r, r + size, ... */
export function globalOrder(o: ShardOptions): Uint32Array {
  const { n, size } = o;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(size) || size < 1)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected n >= 1 and size >= 1 but received n = ${n}, size = ${size}`);
  // The stream for (seed, epoch): fit's shuffle stream of fit 0 (lib/models/shuffle.ts), so the order is the same
  // on every rank and independent of how many fits ran before.
  const perm = o.shuffle === false ? identityOrder(n) : shuffledOrder(n, o.seed, shuffleStream(0, o.epoch));
  if (o.dropLast) {
    const total = Math.floor(n / size) * size;
    if (total === 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `dropLast with ${n} samples over ${size} ranks leaves no sample`);
    return perm.slice(0, total);
  }
  const total = Math.ceil(n / size) * size;
  if (total === n) return perm;
  const out = new Uint32Array(total);
  out.set(perm);
  for (let i = n; i < total; i++) out[i] = perm[(i - n) % n];
  return out;
}

/** Rank `rank`'s sample indices for the epoch (every rank gets globalOrder().length / size of them). */
export function shardOrder(o: ShardOptions & { rank: number }): Uint32Array {
  const g = globalOrder(o);
  const per = g.length / o.size;
  const out = new Uint32Array(per);
  for (let i = 0; i < per; i++) out[i] = g[i * o.size + o.rank];
  return out;
}
