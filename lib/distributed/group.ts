/**
 * Process groups for data-parallel training (docs/engine.md "Distributed training", docs/distributed.md).
 *
 * `await distributed.init()` returns the group this process belongs to: under `mpirun` (OMPI_COMM_WORLD_SIZE set)
 * the MPI world, through Open MPI loaded at run time by the addon (native/src/mpi); otherwise a group of one, whose
 * collectives return their input unchanged, so a script written for mpirun runs unchanged without it.
 *
 * Every MPI call runs on the addon's communication thread; the methods here return promises and never block the
 * event loop. A buffer handed to allreduce/broadcast must not be transferred or detached until its promise settles.
 */
import { SimdnetError, SimdnetTypeError, describe } from '../errors.js';
import { requireNative } from '../native.js';

export type FloatArray = Float32Array | Float64Array;

export interface Group {
  /** 'mpi' under mpirun, 'local' for the group of one. */
  readonly kind: 'mpi' | 'local';
  readonly rank: number;
  readonly size: number;
  /** rank === 0: the rank that runs callbacks, checkpoints and progress output in fit(). */
  readonly isRoot: boolean;
  /** In-place element-wise sum over all ranks (every rank passes the same length); { average: true } divides the
   *  sum by size afterwards. Resolves with `data`. */
  allreduce<T extends FloatArray>(data: T, options?: { average?: boolean }): Promise<T>;
  /** Copies root's `data` into every rank's `data` (same length everywhere). Resolves with `data`. */
  broadcast<T extends FloatArray>(data: T, root?: number): Promise<T>;
  barrier(): Promise<void>;
  /** Ends the whole job at once with this exit code (MPI_Abort); for the group of one, process.exit. */
  abort(code?: number): never;
}

function checkArray(v: unknown, name: string): asserts v is FloatArray {
  if (!(v instanceof Float32Array) && !(v instanceof Float64Array))
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected a Float32Array or Float64Array for ${name} but received ${describe(v)}`);
}

function checkRoot(root: unknown, size: number): number {
  if (typeof root !== 'number' || !Number.isInteger(root) || root < 0 || root >= size)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a root rank in [0, ${size}) but received ${describe(root)}`);
  return root;
}

function average(data: FloatArray, size: number): void {
  for (let i = 0; i < data.length; i++) data[i] /= size;
}

class LocalGroup implements Group {
  readonly kind = 'local' as const;
  readonly rank = 0;
  readonly size = 1;
  readonly isRoot = true;
  async allreduce<T extends FloatArray>(data: T): Promise<T> {
    checkArray(data, 'data');
    return data;
  }
  async broadcast<T extends FloatArray>(data: T, root = 0): Promise<T> {
    checkArray(data, 'data');
    checkRoot(root, 1);
    return data;
  }
  async barrier(): Promise<void> {}
  abort(code = 1): never {
    process.exit(code);
  }
}

interface MpiBinding {
  mpiInit(libPath?: string): Promise<{ rank: number; size: number; library: string }>;
  mpiAllreduce(data: FloatArray): Promise<void>;
  mpiBroadcast(data: FloatArray, root: number): Promise<void>;
  mpiBarrier(): Promise<void>;
  mpiAbort(code: number): never;
}

class MpiGroup implements Group {
  readonly kind = 'mpi' as const;
  readonly isRoot: boolean;
  constructor(private readonly b: MpiBinding, readonly rank: number, readonly size: number, readonly library: string) {
    this.isRoot = rank === 0;
  }
  async allreduce<T extends FloatArray>(data: T, options?: { average?: boolean }): Promise<T> {
    checkArray(data, 'data');
    await this.b.mpiAllreduce(data);
    if (options?.average) average(data, this.size);
    return data;
  }
  async broadcast<T extends FloatArray>(data: T, root = 0): Promise<T> {
    checkArray(data, 'data');
    await this.b.mpiBroadcast(data, checkRoot(root, this.size));
    return data;
  }
  barrier(): Promise<void> {
    return this.b.mpiBarrier();
  }
  abort(code = 1): never {
    this.b.mpiAbort(Number.isInteger(code) && code > 0 && code < 256 ? code : 1);
  }
}

let current: Promise<Group> | null = null;

/** Under mpirun: Open MPI's launcher sets OMPI_COMM_WORLD_SIZE in every rank's environment. */
export function launchedByMpirun(): boolean {
  return process.env.OMPI_COMM_WORLD_SIZE !== undefined;
}

/**
 * The process group: MPI when launched by mpirun (OMPI_COMM_WORLD_SIZE set), else the group of one. Initializes MPI
 * on the first call; later calls return the same group. Rejects with SIMDNET_MPI_UNAVAILABLE when Open MPI cannot be
 * loaded (the message says how to install it) and SIMDNET_NATIVE_UNAVAILABLE without the addon.
 *
 * Under MPI, a rank whose process exits with a non-zero code (an uncaught exception included) aborts the whole job
 * (MPI_Abort) instead of leaving the other ranks waiting in a collective.
 */
export function init(): Promise<Group> {
  if (!current) {
    current = (async (): Promise<Group> => {
      if (!launchedByMpirun()) return new LocalGroup();
      const b = requireNative() as unknown as MpiBinding;
      const r = await b.mpiInit(process.env.SIMDNET_LIBMPI || undefined);
      const g = new MpiGroup(b, r.rank, r.size, r.library);
      if (g.size > 1) {
        // Node prints an uncaught exception only after the 'exit' handlers, which abort: say what happened first.
        process.on('uncaughtExceptionMonitor', (err) => {
          process.stderr.write(`simdnet: uncaught exception on rank ${g.rank} of ${g.size}; aborting the job (MPI_Abort)\n${(err as Error)?.stack ?? String(err)}\n`);
        });
        process.on('exit', (code) => {
          if (code !== 0) g.abort(code);
        });
      }
      return g;
    })();
    current.catch(() => (current = null));
  }
  return current;
}

/** The group if init() has resolved, else null (no side effects). */
export async function currentGroup(): Promise<Group | null> {
  return current ? current.catch(() => null) : null;
}

export function isGroup(v: unknown): v is Group {
  return typeof v === 'object' && v !== null && (v instanceof LocalGroup || v instanceof MpiGroup);
}
