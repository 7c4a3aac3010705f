/**
 * IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
 *
 *   offset 0: 0x00 0x00            magic: two zero bytes
 *   offset 2: type code            0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   offset 3: ndims                number of dimensions (1 for labels, 3 for images)
 *   offset 4: ndims x uint32 BE    size of each dimension
 *   then:     prod(dims) values, big-endian, row-major (last index fastest)
 *
 * Files may be gzipped (the distributed form). Bad files are SIMDNET_CORRUPT_FILE naming the file and byte offset.
 */
import { SimdnetError } from '../errors.js';
import { readBytes, readBytesSync } from './io.js';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  /** Dimension sizes, e.g. [60000, 28, 28] for MNIST training images. */
  shape: number[];
  /** Row-major values in host byte order. */
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};
const CODES: Record<IdxDtype, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

function corrupt(source: string, message: string): SimdnetError {
  return new SimdnetError('SIMDNET_CORRUPT_FILE', `${source}: ${message}`);
}

/** Decodes an IDX file already in memory (gunzipped). `source` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, source = '<buffer>'): IdxArray {
  if (bytes.length < 4) throw corrupt(source, `truncated IDX header: ${bytes.length} bytes, need at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw corrupt(source, `wrong magic number at offset 0: ${hex} (an IDX file starts with 00 00 <type> <ndims>)`);
  }
  const type = TYPES[bytes[2]];
  if (!type) throw corrupt(source, `unknown IDX type code 0x${bytes[2].toString(16).padStart(2, '0')} at offset 2`);
  const ndims = bytes[3];
  if (ndims === 0) throw corrupt(source, 'IDX header at offset 3 declares 0 dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw corrupt(source, `truncated IDX header: ${bytes.length} bytes, the ${ndims} dimension sizes need ${headerBytes}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
  }
  const dataBytes = count * type.size;
  if (bytes.length < headerBytes + dataBytes) {
    const have = bytes.length - headerBytes;
    throw corrupt(
      source,
      `truncated: shape [${shape.join(', ')}] of ${type.dtype} needs ${dataBytes} bytes after the header (offset ${headerBytes}), ` +
        `the file has ${have} (${Math.floor(have / type.size)} of ${count} values)`,
    );
  }
  if (bytes.length > headerBytes + dataBytes) {
    throw corrupt(source, `${bytes.length - headerBytes - dataBytes} unexpected trailing bytes at offset ${headerBytes + dataBytes} after shape [${shape.join(', ')}]`);
  }
  const body = bytes.subarray(headerBytes, headerBytes + dataBytes);
  let data: IdxData;
  switch (type.dtype) {
    case 'uint8':
      data = Uint8Array.from(body);
      break;
    case 'int8':
      data = new Int8Array(Uint8Array.from(body).buffer);
      break;
    default: {
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[type.dtype];
      const out = new Ctor(count);
      const get = {
        int16: (o: number) => view.getInt16(o, false),
        int32: (o: number) => view.getInt32(o, false),
        float32: (o: number) => view.getFloat32(o, false),
        float64: (o: number) => view.getFloat64(o, false),
      }[type.dtype];
      for (let i = 0, o = headerBytes; i < count; i++, o += type.size) out[i] = get(o);
      data = out;
    }
  }
  return { dtype: type.dtype, shape, data };
}

/** Encodes an IDX file (not gzipped); the inverse of parseIdx. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, shape, data } = array;
  const code = CODES[dtype];
  if (code === undefined) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown IDX dtype ${String(dtype)}`);
  if (shape.length < 1 || shape.length > 255) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `IDX needs 1 to 255 dimensions, got ${shape.length}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `IDX shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`);
  const size = TYPES[code].size;
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  const set = {
    uint8: (o: number, v: number) => view.setUint8(o, v),
    int8: (o: number, v: number) => view.setInt8(o, v),
    int16: (o: number, v: number) => view.setInt16(o, v, false),
    int32: (o: number, v: number) => view.setInt32(o, v, false),
    float32: (o: number, v: number) => view.setFloat32(o, v, false),
    float64: (o: number, v: number) => view.setFloat64(o, v, false),
  }[dtype];
  for (let i = 0, o = headerBytes; i < count; i++, o += size) set(o, data[i]);
  return out;
}

/** Reads an IDX file, gzipped or raw. */
export async function readIdx(path: string): Promise<IdxArray> {
  return parseIdx(await readBytes(path), path);
}

export function readIdxSync(path: string): IdxArray {
  return parseIdx(readBytesSync(path), path);
}
