/**
 * What fit() needs from lib/distributed, kept out of lib/models/fit.ts: the group for the `distributed` option
 * (null when training is not distributed or the group has one process, which then runs the ordinary fit loop
 * unchanged), and the failure rule: an exception on one rank of a group of several ends the whole job (MPI_Abort),
 * because the other ranks would otherwise wait forever in their next collective.
 */
import { SimdnetError, describe } from '../errors.js';
import { init, isGroup, type Group } from './group.js';

/** The `distributed` fit option: true (the group of distributed.init()), a Group, or false/undefined. */
export async function fitGroup(option: unknown): Promise<Group | null> {
  if (option === undefined || option === false) return null;
  let g: Group;
  if (option === true) g = await init();
  else if (isGroup(option)) g = option;
  else throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected true, false or a group from distributed.init() for distributed but received ${describe(option)}`);
  return g.size > 1 ? g : null;
}

/** Ends the job after printing the error: called when fit throws on a rank of a group of several. */
export function abortOnError(group: Group, err: unknown): never {
  const e = err as { stack?: string; message?: string };
  process.stderr.write(`simdnet: rank ${group.rank} of ${group.size} failed in distributed training; aborting the job (MPI_Abort)\n${e?.stack ?? e?.message ?? String(err)}\n`);
  return group.abort(1);
}
