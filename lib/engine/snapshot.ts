/**
 * Snapshots: what an asynchronous engine call reads instead of the caller's array (docs/engine.md, "What a running
 * job holds").
 *
 * A caller's ArrayBuffer can be detached at any moment the event loop runs (postMessage(x, [x.buffer]) to a Worker,
 * structuredClone with transfer, another addon's napi_detach_arraybuffer), and its memory is then freed by whoever
 * received it; N-API cannot keep it alive. So a native job reads either memory this package owns and the addon
 * pins for the job (an allocF32 block: a Tensor's storage, which users cannot write, or a snapshot made here), or a
 * copy. The copy is made here, in slices with an event-loop turn whenever TURN_MS have passed, so a 188 MB matrix
 * never holds the loop for long; the addon copies whatever reaches it unpinned, synchronously (native/src/addon/
 * job-input.h), which is fine for the small arrays it meets that way (labels, order, lrPerStep).
 *
 * Measured on the 60000 x 784 Fashion-MNIST matrix (188 MB; figures in docs/engine.md): the copy costs one extra
 * copy of the data in memory for the duration of the call; copy and finite check together, one native pass per
 * slice, take 65-69 ms on the Intel Xeon host (the copy, then the check in JS: 191-234 ms); pinning the caller's
 * buffer instead (worker_threads.markAsUntransferable) costs nothing but is permanent, only covers postMessage, and
 * leaves mutation mid-run visible.
 */
import { native } from '../native.js';
import { SimdnetTypeError } from '../errors.js';
import { firstNonFinite } from '../kernels/reference/reduce.js';
import { isDetached } from '../validate.js';

/** Longest stretch of copying between two event-loop turns. */
const TURN_MS = 2;
/** Elements copied (and visited) between two clock reads: 64 KB, tens of microseconds. */
const SLICE = 1 << 14;

export interface Held {
  /** What the call reads: the caller's array itself when the addon pins it, else a private copy. */
  readonly data: Float32Array;
  /** Whether `data` is a copy made here (then release() frees it at once). */
  readonly copied: boolean;
  /** Frees the copy now (the GC would otherwise). Safe while a job still runs: the addon pins what it reads. */
  release(): void;
}

/** Whether a native job would pin `a` (memory the addon owns) rather than need a copy. */
export function isPinnable(a: Float32Array): boolean {
  return native !== null && typeof native.isNativeBlock === 'function' && native.isNativeBlock(a) === true;
}

function detachedError(name: string): SimdnetTypeError {
  return new SimdnetTypeError('SIMDNET_DETACHED_BUFFER',
    `${name} was detached (its ArrayBuffer transferred or released) while it was being read`);
}

/**
 * Holds the first `length` elements of `src` for an asynchronous call: pinnable memory as is (`force` copies it
 * anyway), anything else as a copy in native memory (a plain Float32Array without the addon) made in slices with
 * event-loop turns between. `finite(at, value)`, when given, makes the error thrown for the first Inf or NaN of what
 * will be read (fit's finite check on its snapshot): with the addon loaded, the check and the copy are one native
 * pass per slice (kernels/reduce firstNonFinite, which also maps the slice's fresh pages in one call). `visit(slice,
 * start)` sees every slice of what will be read (fit's label check) and may throw. `progress(copied)` hears after
 * each slice how many elements are in place (predictAsync's fed job). The copy is released on any throw. A source
 * detached before or during the copy: SIMDNET_DETACHED_BUFFER.
 */
export async function hold(
  src: Float32Array,
  length: number,
  name: string,
  opts: {
    visit?: (slice: Float32Array, start: number) => void;
    finite?: (at: number, value: number) => Error;
    progress?: (copied: number) => void;
    force?: boolean;
    into?: Float32Array;
  } = {},
): Promise<Held> {
  if (isDetached(src.buffer)) throw detachedError(name);
  const copied = opts.force === true || opts.into !== undefined || !isPinnable(src);
  // `into`: a pinnable block of at least `length` elements the caller owns and reuses (NativeEngine's predictAsync
  // stage); the copy goes there and release() leaves it alone.
  const owned = copied && opts.into === undefined;
  // The clock starts before the allocation: a fresh block of tens of MB (a new mapping, and V8 told of the external
  // memory, which may start a GC step) can take a few ms, and the first slice then waits for the next turn.
  let turn = performance.now();
  let dst: Float32Array | null = !copied ? src : opts.into ? opts.into.subarray(0, length) : native ? (native.allocF32(length) as Float32Array) : new Float32Array(length);
  const release = () => {
    if (owned && dst !== null && native && dst.length > 0) native.releaseF32(dst);
    dst = null;
  };
  try {
    for (let start = 0; start < length; start += SLICE) {
      if (performance.now() - turn >= TURN_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        turn = performance.now();
        if (isDetached(src.buffer)) throw detachedError(name);
      }
      const end = Math.min(length, start + SLICE);
      const slice = dst!.subarray(start, end);
      if (opts.finite) {
        // Check and copy in one pass: the addon's kernel, or its TS twin without the addon.
        const part = src.subarray(start, end), into = copied ? slice : null;
        const bad = native !== null
          ? (native.firstNonFinite(end - start, part, into) as number)
          : firstNonFinite(end - start, part, into);
        if (bad >= 0) throw opts.finite(start + bad, slice[bad]);
      } else if (copied) {
        slice.set(src.subarray(start, end));
      }
      opts.visit?.(slice, start);
      opts.progress?.(end);
    }
  } catch (err) {
    release();
    throw err;
  }
  const data = dst!;
  return { data, copied, release };
}

/**
 * Several hold() calls started in the same turn, so each snapshot's first slices (all of a small array) are taken
 * at the call, before the caller's code runs again. If one fails, the others' copies are released.
 */
export async function holdAll(list: {
  src: Float32Array;
  length: number;
  name: string;
  visit?: (slice: Float32Array, start: number) => void;
  finite?: (at: number, value: number) => Error;
}[]): Promise<Held[]> {
  const started = list.map((h) => hold(h.src, h.length, h.name, { visit: h.visit, finite: h.finite }));
  const settled = await Promise.allSettled(started);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    for (const r of settled) if (r.status === 'fulfilled') r.value.release();
    throw failed.reason;
  }
  return settled.map((r) => (r as PromiseFulfilledResult<Held>).value);
}
