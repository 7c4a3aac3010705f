/**
 * Reads one file of a saved model without trusting it (issue 11): only regular files (a FIFO would block the
 * libuv thread forever, /dev/zero never ends), no symlink that leaves the model directory, and exactly the number
 * of bytes the manifest promises: small files (model.json, CURRENT) into one buffer of that size allocated only after
 * fstat agreed, weights and optimizer state streamed through one small chunk (streamOpened). The file is
 * checked with lstat, opened with O_NONBLOCK (opening a FIFO then cannot block) and O_NOFOLLOW where the platform
 * has them, and the open descriptor is checked again with fstat (same inode as lstat saw: nothing swapped in
 * between).
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { SimdnetError } from '../errors.js';

/** Flags for opening a file that must not block or follow a link; 0 where the platform lacks one (Windows). */
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export function ioError(message: string, cause?: unknown): SimdnetError {
  return new SimdnetError('SIMDNET_IO', message, cause ? { cause } : undefined);
}

export function corrupt(dir: string, what: string, cause?: unknown): SimdnetError {
  return new SimdnetError('SIMDNET_CORRUPT_FILE', `The model in ${dir} is damaged: ${what}`, cause ? { cause } : undefined);
}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function fsError(path: string, e: unknown): SimdnetError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return ioError(`No such file: ${path}`, e);
  if (code === 'ELOOP') return ioError(`${path} is a symbolic link where a file was expected`, e);
  return ioError(`Could not read ${path}: ${(e as Error).message}`, e);
}

/** lstat, following a symlink only when its target stays inside `realDir`; returns the target's stats. */
async function checkedStat(realDir: string, path: string): Promise<{ st: Stats; link: boolean }> {
  let st: Stats;
  try {
    st = await lstat(path);
  } catch (e) {
    throw fsError(path, e);
  }
  if (!st.isSymbolicLink()) return { st, link: false };
  let target: string;
  try {
    target = await realpath(path);
    st = await stat(target);
  } catch (e) {
    throw fsError(path, e);
  }
  if (!target.startsWith(realDir + sep))
    throw ioError(`${path} is a symbolic link to ${target}, outside the model directory; refusing to follow it`);
  return { st, link: true };
}

export interface ReadLimits {
  /** The exact size the manifest promises (any other size is refused before reading). */
  size?: number;
  /** Without `size`: the largest file accepted. */
  maxSize?: number;
}

/** An open model file: checked to be a regular file inside the model directory, not yet read. */
export interface OpenedFile {
  dir: string;
  name: string;
  fh: FileHandle;
}

/**
 * Opens `dir/name`, refusing anything but a regular file inside `realDir`. Opening early matters: once open, the
 * file stays readable even if a concurrent save's cleanup unlinks it (POSIX).
 */
export async function openModelFile(dir: string, realDir: string, name: string): Promise<OpenedFile> {
  const path = join(dir, name);
  // A file replaced by rename between lstat and open (CURRENT, by a concurrent save) is checked again.
  for (let attempt = 0; ; attempt++) {
    const { st, link } = await checkedStat(realDir, path);
    if (!st.isFile()) throw ioError(`${path} is ${kind(st)}, not a regular file; refusing to read it`);
    let fh: FileHandle;
    try {
      fh = await open(path, constants.O_RDONLY | O_NONBLOCK | (link ? 0 : O_NOFOLLOW));
    } catch (e) {
      throw fsError(path, e);
    }
    let same = false;
    try {
      const fst = await fh.stat();
      if (!fst.isFile()) throw ioError(`${path} is ${kind(fst)}, not a regular file; refusing to read it`);
      same = fst.ino === st.ino && fst.dev === st.dev;
    } catch (e) {
      await fh.close().catch(() => {});
      throw e instanceof SimdnetError ? e : fsError(path, e);
    }
    if (same) return { dir, name, fh };
    await fh.close().catch(() => {});
    if (attempt >= 10) throw ioError(`${path} keeps changing while it is opened; refusing to read it`);
  }
}

/**
 * Reads an opened file whole and closes it: exactly `limits.size` bytes (any other size is refused before
 * anything is allocated) or at most `limits.maxSize`. The result is a Uint8Array over its own ArrayBuffer (offset
 * 0), so float32 views over it are aligned.
 */
export async function readOpened(f: OpenedFile, limits: ReadLimits): Promise<Uint8Array> {
  const { dir, name, fh } = f;
  try {
    const fst = await fh.stat();
    if (limits.size !== undefined && fst.size !== limits.size)
      throw corrupt(dir, `${name} has ${fst.size} bytes but ${limits.size} were saved (truncated, extended or replaced)`);
    if (limits.maxSize !== undefined && fst.size > limits.maxSize)
      throw corrupt(dir, `${name} has ${fst.size} bytes, more than the ${limits.maxSize} accepted`);
    const want = fst.size;
    const bytes = new Uint8Array(new ArrayBuffer(want));
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(bytes, got, want - got, got);
      if (bytesRead === 0) throw corrupt(dir, `${name} ended after ${got} of ${want} bytes (truncated while reading)`);
      got += bytesRead;
    }
    const { bytesRead: extra } = await fh.read(new Uint8Array(1), 0, 1, want);
    if (extra !== 0) throw corrupt(dir, `${name} grew past ${want} bytes while it was read`);
    return bytes;
  } catch (e) {
    throw e instanceof SimdnetError ? e : fsError(join(dir, name), e);
  } finally {
    await fh.close().catch(() => {});
  }
}

/** Refuses an opened file whose size is not exactly `size` (checked before anything proportional to it exists). */
export async function checkOpenedSize(f: OpenedFile, size: number): Promise<void> {
  let st: Stats;
  try {
    st = await f.fh.stat();
  } catch (e) {
    throw fsError(join(f.dir, f.name), e);
  }
  if (st.size !== size) throw corrupt(f.dir, `${f.name} has ${st.size} bytes but ${size} were saved (truncated, extended or replaced)`);
}

/**
 * Reads an opened file of exactly `size` bytes front to back through one reusable buffer of at most `chunkBytes`
 * (a multiple of 4; allocated once, over its own ArrayBuffer, so float32 views over it are aligned), handing each
 * filled chunk and its file position to `onChunk`, which must copy out what it keeps before returning: the next
 * read overwrites the chunk. Memory is the chunk, whatever the file's size (issue 11: a load once held a copy of
 * every file beside the engine). Like readOpened, any other size is refused before reading, a file that ends early
 * or grows past `size` while it is read is SIMDNET_CORRUPT_FILE. Does not close the file.
 */
export async function streamOpened(f: OpenedFile, size: number, chunkBytes: number, onChunk: (chunk: Uint8Array, pos: number) => void): Promise<void> {
  const { dir, name, fh } = f;
  try {
    await checkOpenedSize(f, size);
    const chunk = new Uint8Array(new ArrayBuffer(Math.max(4, Math.min(chunkBytes, size))));
    for (let pos = 0; pos < size;) {
      const want = Math.min(chunk.length, size - pos);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(chunk, got, want - got, pos + got);
        if (bytesRead === 0) throw corrupt(dir, `${name} ended after ${pos + got} of ${size} bytes (truncated while reading)`);
        got += bytesRead;
      }
      onChunk(chunk.subarray(0, want), pos);
      pos += want;
    }
    const { bytesRead: extra } = await fh.read(new Uint8Array(1), 0, 1, size);
    if (extra !== 0) throw corrupt(dir, `${name} grew past ${size} bytes while it was read`);
  } catch (e) {
    throw e instanceof SimdnetError ? e : fsError(join(dir, name), e);
  }
}

/** openModelFile + readOpened. */
export async function readModelFile(dir: string, realDir: string, name: string, limits: ReadLimits): Promise<Uint8Array> {
  return readOpened(await openModelFile(dir, realDir, name), limits);
}

/** Whether `dir/name` is a real directory (not a symlink). */
export async function isRealDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}
