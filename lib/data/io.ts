/**
 * File access shared by the loaders: read a whole file (SIMDNET_IO naming the path and the system error), and
 * transparently gunzip it when it starts with the gzip magic bytes 1f 8b (RFC 1952 section 2.3.1), so `x.gz` and a
 * plain `x` load the same way whatever their names say.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { SimdnetError } from '../errors.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function ioError(path: string, err: unknown): SimdnetError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new SimdnetError('SIMDNET_IO', `Cannot read ${path}: ${why}`, { cause: err });
}

/** Gunzips when the bytes are gzip; a damaged stream is SIMDNET_CORRUPT_FILE naming the file. */
export function maybeGunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${source}: damaged gzip stream (${(err as Error).message})`, { cause: err });
  }
}

export function readBytesSync(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw ioError(path, err);
  }
  return maybeGunzip(raw, path);
}

export async function readBytes(path: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw ioError(path, err);
  }
  return maybeGunzip(raw, path);
}
