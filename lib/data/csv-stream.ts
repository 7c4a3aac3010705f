/**
 * Streaming CSV batches (issue 12): a dataset for model.fitDataset that reads a CSV file in chunks, never whole,
 * and yields { xs, ys } batches, shuffled through a buffer of `shuffleBuffer` samples (tf.data's shuffle(buffer)):
 * memory is one read chunk, the buffer and one batch, whatever the file's size.
 *
 * The format is csv.ts's, narrowed to what one pass can do: numeric feature columns, one label column holding class
 * indices (non-negative integers; class names would need a pass over the whole file to number them), a header line
 * skipped when asked or when its feature cells are not numbers ('auto'), no quoted fields, no gzip. Every problem is
 * SIMDNET_PARSE with `file:line:column` (1-based). The result is re-iterable: each pass (epoch) reads the file again
 * and reshuffles with seed + pass number, so passes differ and runs repeat.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { SimdnetError, describe } from '../errors.js';
import { createRng } from './transforms.js';

export interface CsvBatchesOptions {
  /** Samples per batch (default 32); the last batch of a pass may be smaller. */
  batchSize?: number;
  /** Samples held for shuffling (default 1024; 0 or 1: file order). */
  shuffleBuffer?: number;
  /** Seeds the shuffle (default 0); pass k uses seed + k. */
  seed?: number;
  /** 0-based label column, negative from the end (default -1). */
  labelColumn?: number;
  /** true, false or 'auto' (default: a header when any feature cell of the first line is not a number). */
  header?: boolean | 'auto';
  delimiter?: string;
}

export interface CsvBatch {
  /** batch x features, row-major. */
  xs: Float32Array;
  /** Class indices, one per sample. */
  ys: Int32Array;
}

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The shuffle buffer's uniform [0, 1): transforms.ts's seeded Mulberry32 (createRng) scaled from uint32. */
function uniform(seed: number): () => number {
  const next = createRng(seed);
  return () => next() / 4294967296;
}

function count(v: unknown, name: string, min: number, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an integer >= ${min} for ${name} but received ${describe(v)}`);
  return v;
}

/** A re-iterable dataset of batches read from a CSV file as a stream (see the file comment). */
export function csvBatches(path: string, options: CsvBatchesOptions = {}): AsyncIterable<CsvBatch> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a file path for csvBatches() but received ${describe(path)}`);
  const batchSize = count(options.batchSize, 'batchSize', 1, 32);
  const bufferSize = Math.max(1, count(options.shuffleBuffer, 'shuffleBuffer', 0, 1024));
  const seed = count(options.seed, 'seed', 0, 0);
  const labelArg = options.labelColumn ?? -1;
  if (typeof labelArg !== 'number' || !Number.isInteger(labelArg))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an integer column index for labelColumn but received ${describe(labelArg)}`);
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected one character for delimiter but received ${describe(delimiter)}`);
  const headerArg = options.header ?? 'auto';
  let passes = 0;

  return {
    async *[Symbol.asyncIterator]() {
      const rand = uniform(seed + passes++);
      let features = -1;
      let labelCol = -1;
      let buffer: Float32Array | null = null;
      let bufLabels: Int32Array | null = null;
      let held = 0;
      let batchX: Float32Array | null = null;
      let batchY: Int32Array | null = null;
      let inBatch = 0;
      const out: CsvBatch[] = [];
      const emit = (src: Float32Array, srcOff: number, label: number) => {
        batchX!.set(src.subarray(srcOff, srcOff + features), inBatch * features);
        batchY![inBatch] = label;
        if (++inBatch === batchSize) {
          out.push({ xs: batchX!, ys: batchY! });
          batchX = new Float32Array(batchSize * features);
          batchY = new Int32Array(batchSize);
          inBatch = 0;
        }
      };
      let lineNo = 0;
      let scratch: Float32Array | null = null;
      const parseError = (col: number, msg: string) => new SimdnetError('SIMDNET_PARSE', `${path}:${lineNo}:${col}: ${msg}`);
      const onLine = (line: string) => {
        lineNo++;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.trim() === '') return;
        const cells = line.split(delimiter);
        if (features < 0) {
          labelCol = labelArg < 0 ? cells.length + labelArg : labelArg;
          if (labelCol < 0 || labelCol >= cells.length)
            throw parseError(1, `labelColumn ${labelArg} is outside the ${cells.length} columns`);
          features = cells.length - 1;
          if (features < 1) throw parseError(1, 'no feature columns');
          buffer = new Float32Array(bufferSize * features);
          bufLabels = new Int32Array(bufferSize);
          batchX = new Float32Array(batchSize * features);
          batchY = new Int32Array(batchSize);
          scratch = new Float32Array(features);
          const isHeader = headerArg === 'auto' ? cells.some((c, i) => i !== labelCol && !NUMBER.test(c)) : headerArg;
          if (isHeader) return;
        }
        if (cells.length !== features + 1)
          throw parseError(1, `expected ${features + 1} fields but found ${cells.length}`);
        let f = 0;
        let label = 0;
        let col = 1;
        for (let i = 0; i < cells.length; i++) {
          const c = cells[i];
          if (c.includes('"')) throw parseError(col, `quoted fields are not supported by csvBatches (use readCsv): ${JSON.stringify(c)}`);
          if (i === labelCol) {
            const v = Number(c);
            if (!NUMBER.test(c) || !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1)
              throw parseError(col, `expected a class index (integer >= 0) in the label column but found ${JSON.stringify(c)}`);
            label = v;
          } else {
            if (!NUMBER.test(c)) throw parseError(col, `expected a number in column ${i + 1} but found ${JSON.stringify(c)}`);
            scratch![f++] = Number(c);
          }
          col += c.length + 1;
        }
        // Shuffle buffer: fill it; once full, a random held sample leaves for each one that arrives.
        if (held < bufferSize) {
          buffer!.set(scratch!, held * features);
          bufLabels![held++] = label;
          return;
        }
        const j = Math.floor(rand() * bufferSize);
        emit(buffer!, j * features, bufLabels![j]);
        buffer!.set(scratch!, j * features);
        bufLabels![j] = label;
      };

      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      const decoder = new StringDecoder('utf8');
      let rest = '';
      try {
        for await (const chunk of stream) {
          const text = rest + decoder.write(chunk as Buffer);
          let start = 0;
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            onLine(text.slice(start, nl));
            start = nl + 1;
          }
          rest = text.slice(start);
          while (out.length) yield out.shift()!;
        }
        rest += decoder.end();
        if (rest !== '') onLine(rest);
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `No such file: ${path}`);
        throw e;
      } finally {
        stream.destroy();
      }
      // Drain the buffer in a random order (Fisher-Yates over what is held).
      for (let k = held - 1; k >= 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        emit(buffer!, j * features, bufLabels![j]);
        if (j !== k) {
          buffer!.copyWithin(j * features, k * features, (k + 1) * features);
          bufLabels![j] = bufLabels![k];
        }
      }
      while (out.length) yield out.shift()!;
      if (inBatch > 0) yield { xs: batchX!.slice(0, inBatch * features), ys: batchY!.slice(0, inBatch) };
    },
  };
}
