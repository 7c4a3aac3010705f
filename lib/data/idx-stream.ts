/**
 * Streaming IDX batches (issue 12): a dataset for model.fitDataset that reads an IDX images file and its labels file
 * (the MNIST / Fashion-MNIST pair, raw or gzipped: idx.ts has the format) as two streams in step, never whole, and
 * yields { xs, ys } batches shuffled through a buffer of `shuffleBuffer` samples (tf.data's shuffle(buffer), as
 * csv-stream.ts does). Memory is the two read chunks (plus zlib's window when gzipped), the buffer and one batch,
 * whatever the files' sizes.
 *
 * Images: any IDX type, at least 1 dimension; a sample is everything after the first dimension, flattened. Values
 * become float32 times `scale` (default 1/255 for uint8 images, the usual pixel preprocessing as in
 * loadIdxDataset's `normalize`; 1 for every other type). Labels: a 1-D IDX file of an integer type (uint8, int8,
 * int16, int32) with the same count as the images, non-negative. Bad or mismatched files are SIMDNET_CORRUPT_FILE
 * naming the file and the byte offset (in the uncompressed stream); a missing file is SIMDNET_IO. The result is
 * re-iterable: each pass (epoch) reads the files again and reshuffles with seed + pass number.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SimdnetError, describe } from '../errors.js';
import { createRng } from './transforms.js';

export interface IdxBatchesOptions {
  /** Samples per batch (default 32); the last batch of a pass may be smaller. */
  batchSize?: number;
  /** Samples held for shuffling (default 1024; 0 or 1: file order). */
  shuffleBuffer?: number;
  /** Seeds the shuffle (default 0); pass k uses seed + k. */
  seed?: number;
  /** Multiplies every image value (default 1/255 for uint8 images, else 1). */
  scale?: number;
}

export interface IdxBatch {
  /** batch x (product of the image dimensions after the first), row-major. */
  xs: Float32Array;
  /** Class indices, one per sample. */
  ys: Int32Array;
}

const TYPES: Record<number, { dtype: string; size: number; read: (v: DataView, o: number) => number }> = {
  0x08: { dtype: 'uint8', size: 1, read: (v, o) => v.getUint8(o) },
  0x09: { dtype: 'int8', size: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { dtype: 'int16', size: 2, read: (v, o) => v.getInt16(o, false) },
  0x0c: { dtype: 'int32', size: 4, read: (v, o) => v.getInt32(o, false) },
  0x0d: { dtype: 'float32', size: 4, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { dtype: 'float64', size: 8, read: (v, o) => v.getFloat64(o, false) },
};
/** Bytes per read from disk (images; labels are 1/784 of that for MNIST and read in 64 KiB chunks). */
const CHUNK = 1 << 20;

function count(v: unknown, name: string, min: number, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an integer >= ${min} for ${name} but received ${describe(v)}`);
  return v;
}

/**
 * Exact-size reads from a byte stream (gunzipped when it starts with 1f 8b), chunk by chunk: `read(n)` returns n
 * bytes (a view into the current chunk when they lie in one, else a copy), or fewer at the end of the file.
 */
class ByteReader {
  private it: AsyncIterator<Buffer> | null = null;
  private stream: Readable | null = null;
  private raw: Readable | null = null;
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;
  /** Bytes consumed so far (the offset of the next read, in the uncompressed stream). */
  offset = 0;

  constructor(private readonly path: string, private readonly highWaterMark: number) {}

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    if (this.it === null) {
      // The gzip test needs the first two bytes: read them first, then stream the file raw or through gunzip.
      let magic: Uint8Array;
      try {
        const fh = await open(this.path, 'r');
        try {
          magic = new Uint8Array(2);
          magic = magic.subarray(0, (await fh.read(magic, 0, 2, 0)).bytesRead);
        } finally {
          await fh.close();
        }
      } catch (err) {
        throw this.ioError(err);
      }
      const raw = createReadStream(this.path, { highWaterMark: this.highWaterMark });
      if (magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
        const gunzip = createGunzip({ chunkSize: this.highWaterMark });
        raw.on('error', (e) => gunzip.destroy(e));
        raw.pipe(gunzip);
        this.stream = gunzip;
        this.raw = raw;
      } else this.stream = raw;
      this.it = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    }
    const r = await this.next(this.it);
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.chunk = r.value;
    this.pos = 0;
    return true;
  }

  private ioError(err: unknown): SimdnetError {
    const e = err as NodeJS.ErrnoException;
    if (e.code?.startsWith('Z_'))
      return new SimdnetError('SIMDNET_CORRUPT_FILE', `${this.path}: damaged gzip stream (${e.message})`, { cause: err });
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    return new SimdnetError('SIMDNET_IO', `Cannot read ${this.path}: ${why}`, { cause: err });
  }

  private async next(it: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer>> {
    try {
      return await it.next();
    } catch (err) {
      throw this.ioError(err);
    }
  }

  /** n bytes when the current chunk holds them (a view, no await), else null: then read(n). */
  take(n: number): Uint8Array | null {
    if (this.pos + n > this.chunk.length) return null;
    const v = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    return v;
  }

  async read(n: number): Promise<Uint8Array> {
    const v = this.take(n);
    if (v !== null) return v;
    const out = new Uint8Array(n);
    let k = 0;
    while (k < n) {
      if (this.pos === this.chunk.length && !(await this.pull())) break;
      const take = Math.min(n - k, this.chunk.length - this.pos);
      out.set(this.chunk.subarray(this.pos, this.pos + take), k);
      this.pos += take;
      k += take;
    }
    this.offset += k;
    return k === n ? out : out.subarray(0, k);
  }

  close(): void {
    this.stream?.destroy();
    this.raw?.destroy();
  }
}

interface Header {
  type: (typeof TYPES)[number];
  shape: number[];
  bytes: number;
}

async function readHeader(r: ByteReader, path: string): Promise<Header> {
  const corrupt = (m: string) => new SimdnetError('SIMDNET_CORRUPT_FILE', `${path}: ${m}`);
  const head = await r.read(4);
  if (head.length < 4) throw corrupt(`truncated IDX header: ${head.length} bytes, need at least 4`);
  if (head[0] !== 0 || head[1] !== 0) {
    const hex = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw corrupt(`wrong magic number at offset 0: ${hex} (an IDX file starts with 00 00 <type> <ndims>)`);
  }
  const type = TYPES[head[2]];
  if (!type) throw corrupt(`unknown IDX type code 0x${head[2].toString(16).padStart(2, '0')} at offset 2`);
  const ndims = head[3];
  if (ndims === 0) throw corrupt('IDX header at offset 3 declares 0 dimensions');
  const dims = await r.read(4 * ndims);
  if (dims.length < 4 * ndims) throw corrupt(`truncated IDX header: ${4 + dims.length} bytes, the ${ndims} dimension sizes need ${4 + 4 * ndims}`);
  const view = new DataView(dims.buffer, dims.byteOffset, dims.byteLength);
  const shape = Array.from({ length: ndims }, (_, d) => view.getUint32(4 * d, false));
  return { type, shape, bytes: 4 + 4 * ndims };
}

/** A re-iterable dataset of batches read from an IDX images file and labels file as streams (see the file comment). */
export function idxBatches(imagesPath: string, labelsPath: string, options: IdxBatchesOptions = {}): AsyncIterable<IdxBatch> {
  for (const [p, name] of [[imagesPath, 'imagesPath'], [labelsPath, 'labelsPath']] as const)
    if (typeof p !== 'string' || p === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a file path for idxBatches() ${name} but received ${describe(p)}`);
  if (typeof options !== 'object' || options === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for idxBatches() but received ${describe(options)}`);
  const batchSize = count(options.batchSize, 'batchSize', 1, 32);
  const bufferSize = Math.max(1, count(options.shuffleBuffer, 'shuffleBuffer', 0, 1024));
  const seed = count(options.seed, 'seed', 0, 0);
  if (options.scale !== undefined && (typeof options.scale !== 'number' || !Number.isFinite(options.scale)))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a finite number for scale but received ${describe(options.scale)}`);
  let passes = 0;

  return {
    async *[Symbol.asyncIterator]() {
      const next = createRng(seed + passes++);
      const rand = () => next() / 4294967296;
      const images = new ByteReader(imagesPath, CHUNK);
      const labels = new ByteReader(labelsPath, 1 << 16);
      try {
        const ih = await readHeader(images, imagesPath);
        const lh = await readHeader(labels, labelsPath);
        if (lh.shape.length !== 1 || !['uint8', 'int8', 'int16', 'int32'].includes(lh.type.dtype))
          throw new SimdnetError('SIMDNET_CORRUPT_FILE',
            `${labelsPath}: expected a 1-D IDX file of integer class indices but the header declares ${lh.type.dtype} of shape [${lh.shape.join(', ')}]`);
        const n = ih.shape[0];
        if (lh.shape[0] !== n)
          throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${labelsPath}: ${lh.shape[0]} labels for the ${n} images of ${imagesPath}`);
        const features = ih.shape.slice(1).reduce((a, b) => a * b, 1);
        if (features < 1) throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${imagesPath}: images of shape [${ih.shape.join(', ')}] hold no values`);
        const scale = options.scale ?? (ih.type.dtype === 'uint8' ? 1 / 255 : 1);
        const recordBytes = features * ih.type.size;

        const buffer = new Float32Array(Math.min(bufferSize, n) * features);
        const bufLabels = new Int32Array(Math.min(bufferSize, n));
        let held = 0;
        let batchX = new Float32Array(batchSize * features);
        let batchY = new Int32Array(batchSize);
        let inBatch = 0;
        let full: IdxBatch | null = null;
        const emit = (src: Float32Array, srcOff: number, label: number) => {
          batchX.set(src.subarray(srcOff, srcOff + features), inBatch * features);
          batchY[inBatch] = label;
          if (++inBatch === batchSize) {
            full = { xs: batchX, ys: batchY };
            batchX = new Float32Array(batchSize * features);
            batchY = new Int32Array(batchSize);
            inBatch = 0;
          }
        };
        // Decodes one record into dst at off (uint8 in a tight loop; the other types through a DataView, big-endian).
        const decode = (bytes: Uint8Array, dst: Float32Array, off: number) => {
          if (ih.type.size === 1 && ih.type.dtype === 'uint8') {
            for (let j = 0; j < features; j++) dst[off + j] = bytes[j] * scale;
            return;
          }
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          const read = ih.type.read;
          for (let j = 0, o = 0; j < features; j++, o += ih.type.size) dst[off + j] = read(view, o) * scale;
        };
        const scratch = new Float32Array(features);
        for (let i = 0; i < n; i++) {
          const at = images.offset;
          const rec = images.take(recordBytes) ?? (await images.read(recordBytes));
          if (rec.length < recordBytes)
            throw new SimdnetError('SIMDNET_CORRUPT_FILE',
              `${imagesPath}: truncated at offset ${at + rec.length}: shape [${ih.shape.join(', ')}] needs ${n} records of ${recordBytes} bytes after the header, the file ends in record ${i}`);
          const lat = labels.offset;
          const lb = labels.take(lh.type.size) ?? (await labels.read(lh.type.size));
          if (lb.length < lh.type.size)
            throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${labelsPath}: truncated at offset ${lat + lb.length}: ${n} labels declared, the file ends at label ${i}`);
          const label = lh.type.read(new DataView(lb.buffer, lb.byteOffset, lb.byteLength), 0);
          if (label < 0) throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${labelsPath}: label ${label} at offset ${lat} is not a class index (integer >= 0)`);
          // Shuffle buffer: fill it; once full, a random held sample leaves for each one that arrives.
          if (held < bufLabels.length) {
            decode(rec, buffer, held * features);
            bufLabels[held++] = label;
          } else {
            decode(rec, scratch, 0);
            const j = Math.floor(rand() * held);
            emit(buffer, j * features, bufLabels[j]);
            buffer.set(scratch, j * features);
            bufLabels[j] = label;
          }
          if (full !== null) {
            const b: IdxBatch = full;
            full = null;
            yield b;
          }
        }
        for (const [r, p, h] of [[images, imagesPath, ih], [labels, labelsPath, lh]] as const) {
          const extra = await r.read(1);
          if (extra.length > 0)
            throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${p}: unexpected trailing bytes at offset ${r.offset - 1} after shape [${h.shape.join(', ')}]`);
        }
        // Drain the buffer in a random order (Fisher-Yates over what is held).
        for (let k = held - 1; k >= 0; k--) {
          const j = Math.floor(rand() * (k + 1));
          emit(buffer, j * features, bufLabels[j]);
          if (j !== k) {
            buffer.copyWithin(j * features, k * features, (k + 1) * features);
            bufLabels[j] = bufLabels[k];
          }
          if (full !== null) {
            const b: IdxBatch = full;
            full = null;
            yield b;
          }
        }
        if (inBatch > 0) yield { xs: batchX.slice(0, inBatch * features), ys: batchY.slice(0, inBatch) };
      } finally {
        images.close();
        labels.close();
      }
    },
  };
}
