/**
 * Every error simdnet throws on purpose carries a `code` (sharp/better-sqlite3 style). Native bindings throw
 * TypeError/RangeError with the same codes; TS validation throws these subclasses so `instanceof` still works.
 */
export type ErrorCode =
  | 'SIMDNET_INVALID_ARGUMENT'
  | 'SIMDNET_SHAPE_MISMATCH'
  | 'SIMDNET_BUFFER_TOO_SMALL'
  | 'SIMDNET_DETACHED_BUFFER'
  | 'SIMDNET_NOT_FINITE'
  | 'SIMDNET_DISPOSED'
  | 'SIMDNET_BUSY'
  | 'SIMDNET_NOT_COMPILED'
  | 'SIMDNET_NOT_BUILT'
  | 'SIMDNET_ISA_UNSUPPORTED'
  | 'SIMDNET_NATIVE_UNAVAILABLE'
  | 'SIMDNET_ABORTED'
  | 'SIMDNET_IO'
  | 'SIMDNET_CORRUPT_FILE'
  | 'SIMDNET_UNSUPPORTED_FORMAT'
  | 'SIMDNET_PARSE'
  | 'SIMDNET_OUT_OF_MEMORY'
  /** An optional dependency (vega, vega-lite for charts) is not installed. */
  | 'SIMDNET_MISSING_DEPENDENCY'
  /** Distributed training: Open MPI cannot be loaded or initialized (lib/distributed). */
  | 'SIMDNET_MPI_UNAVAILABLE'
  /** Distributed training: an MPI call failed, or MPI is used before distributed.init(). */
  | 'SIMDNET_MPI_ERROR';

export class SimdnetError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimdnetError';
    this.code = code;
  }
}

export class SimdnetTypeError extends TypeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SimdnetTypeError';
    this.code = code;
  }
}

export class SimdnetRangeError extends RangeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SimdnetRangeError';
    this.code = code;
  }
}

/** Describes a received value for messages: `-3 of type number`, `a Float64Array`, `undefined`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as { length?: number }).length ?? '?'}`;
  if (Array.isArray(v)) return `an Array of length ${v.length}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${String(v)} of type ${typeof v}`;
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '…' : v}' of type string`;
  return `a value of type ${typeof v}`;
}
