/** Turning user inputs (Tensor, Float32Array, nested arrays) into the row-major arrays the engines take. */
import type { LossName } from '../engine/engine.js';
import { SimdnetError, SimdnetTypeError } from '../errors.js';
import { holdAll, type Held } from '../engine/snapshot.js';
import { firstNonFinite, toMatrix, type Matrix } from '../tensor.js';
import { isDetached } from '../validate.js';
import { firstNonFiniteAsync, needsSlicing, toMatrixAsync } from './ingest.js';

/** A typed array whose buffer was transferred or released reads as empty: say so rather than "no samples". */
function checkNotDetached(v: unknown, name: string): void {
  if (ArrayBuffer.isView(v) && isDetached(v.buffer))
    throw new SimdnetTypeError('SIMDNET_DETACHED_BUFFER', `${name} is backed by a detached ArrayBuffer (transferred or released)`);
}

export function prepareInputs(x: unknown, inputSize: number, name = 'x'): Matrix {
  checkNotDetached(x, name);
  return nonEmpty(toMatrix(x, name, inputSize), name);
}

function nonEmpty(m: Matrix, name: string): Matrix {
  if (m.rows === 0) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected at least one sample in ${name} but it is empty`);
  return m;
}

/**
 * prepareInputs for the asynchronous entry points: a large conversion is spread over event-loop turns
 * (./ingest.ts); anything else is done at once and returned as is (no await, so a snapshot can start in the call).
 */
export function prepareInputsAsync(x: unknown, inputSize: number, name = 'x'): Matrix | Promise<Matrix> {
  if (!needsSlicing(x)) return prepareInputs(x, inputSize, name);
  checkNotDetached(x, name);
  return toMatrixAsync(x, name, inputSize).then((m) => nonEmpty(m, name));
}

/** prepareTargets for the asynchronous entry points (as prepareInputsAsync). */
export function prepareTargetsAsync(y: unknown, loss: LossName, outputSize: number, name = 'y'): Matrix | Promise<Matrix> {
  if (!needsSlicing(y)) return prepareTargets(y, loss, outputSize, name);
  return prepareTargetsSliced(y, loss, outputSize, name);
}

async function prepareTargetsSliced(y: unknown, loss: LossName, outputSize: number, name: string): Promise<Matrix> {
  checkNotDetached(y, name);
  const sparse = loss === 'sparseCategoricalCrossentropy';
  const m = await toMatrixAsync(y, name, sparse ? 1 : outputSize);
  if (sparse) checkLabels(m, outputSize, name);
  return m;
}

/**
 * Targets: [n, outputSize] for every loss but sparseCategoricalCrossentropy, which takes n integer labels ([n] or
 * [n, 1]) in [0, outputSize). A rank-1 target is accepted when outputSize is 1.
 */
export function prepareTargets(y: unknown, loss: LossName, outputSize: number, name = 'y'): Matrix {
  checkNotDetached(y, name);
  if (loss === 'sparseCategoricalCrossentropy') {
    // Labels as numbers, or an Int32Array / Uint8Array / ... of class indices (Dataset.labels).
    const m = toMatrix(y, name, 1);
    checkLabels(m, outputSize, name);
    return m;
  }
  return toMatrix(y, name, outputSize);
}

function checkLabels(m: Matrix, outputSize: number, name: string): void {
  for (let i = 0; i < m.rows; i++) {
    const v = m.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= outputSize)
      throw new SimdnetError(Number.isFinite(v) ? 'SIMDNET_INVALID_ARGUMENT' : 'SIMDNET_NOT_FINITE',
        `Expected integer labels in [0, ${outputSize}) for ${name} (sparseCategoricalCrossentropy) but ${name}[${i}] is ${v}`);
  }
}

function notFinite(m: Matrix, name: string, at: number, value = m.data[at]): SimdnetError {
  return new SimdnetError('SIMDNET_NOT_FINITE',
    `Expected finite values in ${name} but ${name}[${Math.floor(at / m.cols)}][${at % m.cols}] is ${value}`);
}

export function checkFinite(m: Matrix, name: string): void {
  const i = firstNonFinite(m.data.subarray(0, m.rows * m.cols));
  if (i >= 0) throw notFinite(m, name, i);
}

/**
 * fit()'s hold on its matrices for the whole run (docs/engine.md, "What a running job holds"): snapshots started
 * together now (lib/engine/snapshot.ts: copies made in slices with event-loop turns between, or a Tensor's own
 * immutable storage, which the addon pins), checked for non-finite values in the same pass, so what is checked is
 * what is trained on. `labels` (sparse targets: the class count) re-checks labels on the snapshot too. The caller
 * releases every Held once done; on failure none is left held.
 */
export async function snapshotMatrices(list: { m: Matrix; name: string; labels?: number }[]): Promise<{ matrices: Matrix[]; held: Held[] }> {
  const held = await holdAll(list.map(({ m, name, labels }) => ({
    src: m.data,
    length: m.rows * m.cols,
    name,
    finite: (at: number, value: number) => notFinite(m, name, at, value),
    visit: labels === undefined ? undefined : (slice: Float32Array, start: number) => {
      for (let j = 0; j < slice.length; j++) {
        const v = slice[j];
        if (!Number.isInteger(v) || v < 0 || v >= labels)
          throw new SimdnetError('SIMDNET_INVALID_ARGUMENT',
            `Expected integer labels in [0, ${labels}) for ${name} (sparseCategoricalCrossentropy) but ${name}[${start + j}] is ${v}`);
      }
    },
  })));
  return { matrices: held.map((h, i) => ({ data: h.data, rows: list[i].m.rows, cols: list[i].m.cols })), held };
}

/** More values than one slice of ./ingest.ts's work: checked with firstNonFiniteAsync, not checkFinite. */
export function isLarge(m: Matrix): boolean {
  return m.rows * m.cols > 1 << 16;
}

/** checkFinite in slices with event-loop turns between (./ingest.ts firstNonFiniteAsync) when the matrix is large. */
export async function checkFiniteAsync(m: Matrix, name: string): Promise<void> {
  const i = isLarge(m) ? await firstNonFiniteAsync({ data: m.data, rows: m.rows, cols: m.cols }) : firstNonFinite(m.data.subarray(0, m.rows * m.cols));
  if (i >= 0) throw notFinite(m, name, i);
}

export function checkSameRows(x: Matrix, y: Matrix, xName: string, yName: string): void {
  if (x.rows !== y.rows)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `${xName} has ${x.rows} samples but ${yName} has ${y.rows}`);
}

/** Rows [start, end) of a matrix, sharing memory. */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  return { data: m.data.subarray(start * m.cols, end * m.cols), rows: end - start, cols: m.cols };
}

/**
 * evaluateAsync's x and y, checked (same rows, finite): at once when no conversion needs slicing (no await, so the
 * engine's snapshot starts in the call), else converted over event-loop turns (./ingest.ts).
 */
export function prepareEvalAsync(x: unknown, y: unknown, loss: LossName, inputSize: number, outputSize: number): { xm: Matrix; ym: Matrix } | Promise<{ xm: Matrix; ym: Matrix }> {
  const finish = (xm: Matrix, ym: Matrix) => {
    checkSameRows(xm, ym, 'x', 'y');
    checkFinite(xm, 'x');
    checkFinite(ym, 'y');
    return { xm, ym };
  };
  const xP = prepareInputsAsync(x, inputSize, 'x');
  const yP = prepareTargetsAsync(y, loss, outputSize, 'y');
  // A large Float32Array needs no conversion but its finite check is as long (9.4M values: 30 to 60 ms on the
  // loaded dev machine, the longest turn of evaluateAsync in the lag test): checked in slices too.
  if (!(xP instanceof Promise) && !(yP instanceof Promise) && !isLarge(xP) && !isLarge(yP)) return finish(xP, yP);
  return (async () => {
    const [xm, ym] = await Promise.all([xP, yP]);
    checkSameRows(xm, ym, 'x', 'y');
    // The converted matrices are this call's own: checked in slices too.
    for (const [m, name] of [[xm, 'x'], [ym, 'y']] as const) {
      const i = await firstNonFiniteAsync(m);
      if (i >= 0) throw notFinite(m, name, i);
    }
    return { xm, ym };
  })();
}
