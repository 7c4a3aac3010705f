/**
 * The model directory's layout (format.ts): which version directory CURRENT names, and the cleanup of what crashed
 * or superseded saves left. Cleanup never touches the live version, nor anything a live process may still be
 * writing: every temporary name carries its writer's pid, and an entry is removed only when that process is gone,
 * or, by a save, when it is this process's and not in flight (saves to one directory are serialised per process,
 * save.ts). So a crash leaves at most one version directory and one CURRENT.*.tmp per
 * crashed process, and the next save or load removes them.
 * Limitation: the pid check assumes one host; saving into one directory from several machines (NFS) is unsupported.
 */
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CURRENT_FILE, CURRENT_TMP, LEGACY_FILES, MODEL_FILE, VERSION_DIR } from './format.js';
import { corrupt, isRealDirectory, readModelFile } from './safe-read.js';

/** Where the live files are: `dir/<version>` (CURRENT) or `dir` itself (a save from before CURRENT). */
export interface Resolved {
  filesDir: string;
  version: string | null;
}

async function readCurrent(dir: string, realDir: string): Promise<string | null> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readModelFile(dir, realDir, CURRENT_FILE, { maxSize: 64 }));
  } catch (e) {
    if ((e as { code?: string }).code === 'SIMDNET_IO' && /No such file/.test((e as Error).message)) return null;
    if (e instanceof TypeError) throw corrupt(dir, `${CURRENT_FILE} is not text`, e);
    throw e;
  }
  const version = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!VERSION_DIR.test(version)) throw corrupt(dir, `${CURRENT_FILE} names ${JSON.stringify(version.slice(0, 40))}, not a version directory`);
  return version;
}

/**
 * Reads CURRENT (a few bytes, a regular file) and checks the version directory it names exists. A concurrent save
 * may switch CURRENT and remove the version it named between the two steps: then CURRENT is read again.
 */
export async function resolveCurrent(dir: string, realDir: string): Promise<Resolved> {
  for (let attempt = 0; ; attempt++) {
    const version = await readCurrent(dir, realDir);
    if (version === null) return { filesDir: dir, version: null };
    const filesDir = join(dir, version);
    if (await isRealDirectory(filesDir)) return { filesDir, version };
    if (attempt >= 20 || (await readCurrent(dir, realDir)) === version)
      throw corrupt(dir, `${CURRENT_FILE} names ${version}, which is not a directory here`);
  }
}

/** Version directories with a save in flight in this process, by model directory. */
const inFlight = new Map<string, Set<string>>();

export function markInFlight(dir: string, name: string, on: boolean): void {
  let s = inFlight.get(dir);
  if (!s) inFlight.set(dir, (s = new Set()));
  if (on) s.add(name);
  else s.delete(name);
  if (s.size === 0) inFlight.delete(dir);
}

/** Whether process `pid` exists (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a temporary entry written by `pid` may go: its writer is dead, or is us and not in flight. */
function abandoned(dir: string, name: string, pid: number, mayRemoveOwn: boolean): boolean {
  if (pid !== process.pid) return !alive(pid);
  return mayRemoveOwn && !inFlight.get(dir)?.has(name);
}

/** Saves to one directory in this process run one after another (a promise chain per directory). */
const queues = new Map<string, Promise<unknown>>();

export function serialise<T>(dir: string, job: () => Promise<T>): Promise<T> {
  const prev = queues.get(dir) ?? Promise.resolve();
  const run = prev.then(job, job);
  const tail = run.catch(() => {});
  queues.set(dir, tail);
  void tail.then(() => {
    if (queues.get(dir) === tail) queues.delete(dir);
  });
  return run;
}

/**
 * Removes what crashed or superseded saves left in `dir`: version directories other than the live one and stale
 * CURRENT.*.tmp files (when abandoned, above), and the top-level files of a pre-CURRENT save once CURRENT exists.
 * `mayRemoveOwn`: this process's own entries not marked in flight may go too; only a save passes true, while it
 * holds the directory's queue (so no save of this process can make one of them live meanwhile). Returns how many entries it removed. Never throws: a
 * read-only directory simply keeps its leftovers.
 */
export async function cleanup(dir: string, realDir: string, mayRemoveOwn: boolean): Promise<number> {
  let removed = 0;
  try {
    const names = await readdir(dir);
    let live: Resolved;
    try {
      live = await resolveCurrent(dir, realDir);
    } catch {
      return 0; // CURRENT unreadable: touch nothing, the next good save rewrites it
    }
    for (const name of names) {
      let go = false;
      const v = VERSION_DIR.exec(name) ?? CURRENT_TMP.exec(name);
      if (v) go = name !== live.version && abandoned(dir, name, Number(v[1]), mayRemoveOwn);
      else if (LEGACY_FILES.includes(name)) go = live.version !== null;
      if (!go) continue;
      await rm(join(dir, name), { recursive: true, force: true });
      removed++;
    }
  } catch {
    /* best effort */
  }
  return removed;
}

/**
 * The save code before CURRENT renamed the previous save to `.<name>.old-<pid>-<hex>` and the new one from
 * `.<name>.tmp-<pid>-<hex>`; a crash between its two renames left nothing at the path and the model in the .old
 * directory. When the path is missing, the newest such .old directory of a dead process is put back; leftover
 * .tmp/.old directories of dead processes are removed. Returns how many entries it removed or restored.
 */
export async function recoverLegacy(dir: string): Promise<number> {
  const parent = dirname(dir);
  const base = basename(dir);
  const re = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-([1-9][0-9]{0,9})-[0-9a-f]{8}$`);
  let n = 0;
  try {
    const names = (await readdir(parent)).filter((f) => re.test(f));
    if (names.length === 0) return 0;
    const dead = names.filter((f) => !alive(Number(re.exec(f)![2])));
    let missing = false;
    try {
      await lstat(dir);
    } catch (e) {
      missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    }
    if (missing) {
      const olds = [];
      for (const f of dead.filter((f) => re.exec(f)![1] === 'old')) {
        const st = await lstat(join(parent, f, MODEL_FILE)).catch(() => null);
        if (st?.isFile()) olds.push({ f, t: st.mtimeMs });
      }
      olds.sort((a, b) => b.t - a.t);
      if (olds.length > 0) {
        await rename(join(parent, olds[0].f), dir);
        n++;
      }
    }
    for (const f of dead) {
      await rm(join(parent, f), { recursive: true, force: true }).catch(() => {});
      n++;
    }
  } catch (e) {
    if (e instanceof Error && 'code' in e && (e as { code?: string }).code?.startsWith('SIMDNET_')) throw e;
    /* best effort */
  }
  return n;
}

