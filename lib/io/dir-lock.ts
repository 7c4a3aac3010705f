/**
 * Cross-process serialisation of saves to one model directory (issue 11: "concurrent saves to one path are
 * serialised, or refused with a coded error"). Within a process, layout.ts serialise() already queues saves; this
 * lock orders saves from different processes on one host.
 *
 * The lock is the file `<dir>/LOCK`, created with O_CREAT|O_EXCL (open 'wx', atomic on a local file system) and
 * holding the owner's pid. A save waits while a live process holds it (polling, up to `timeoutMs`, then
 * SIMDNET_BUSY naming the holder) and takes over a lock whose pid is dead (a save killed with -9): the stale file is
 * renamed aside, then removed. Node has no flock(2), hence the pid file (the same scheme as LevelDB's LOCK on systems
 * without fcntl locks, and git's index.lock without the stale takeover).
 * Residual race, documented in docs/guarantees.md: two processes taking over the same dead writer's lock at the same
 * instant can both proceed; each save is still atomic (one rename of CURRENT), so the outcome is then the same as
 * with no lock: the last rename wins.
 */
import { open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SimdnetError } from '../errors.js';

export const LOCK_FILE = 'LOCK';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes `<dir>/LOCK` for this process; resolves to a function that releases it. Waits for a live holder at most
 * `timeoutMs` (then SIMDNET_BUSY); removes a dead holder's lock. The directory must exist.
 */
export async function acquireDirLock(dir: string, timeoutMs = 30_000): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o644);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      // Stale locks renamed aside by a takeover that was itself killed before its rm: ours to remove now (an rm racing
      // a live taker's own rm is harmless, force).
      for (const name of await readdir(dir).catch(() => [] as string[]))
        if (name.startsWith(`${LOCK_FILE}.stale-`)) await rm(join(dir, name), { force: true }).catch(() => {});
      return async () => {
        await rm(path, { force: true }).catch(() => {});
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(await readFile(path, 'utf8'), 10);
    } catch {
      continue; // released between our open and this read: try again at once
    }
    // An empty or unreadable pid is a holder between its open and its write: give it a few seconds, then stale.
    let stale = Number.isNaN(holder) ? await olderThan(path, 5_000) : !alive(holder);
    if (stale) {
      const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await rename(path, aside);
        await rm(aside, { force: true });
      } catch {
        /* someone else took it over or released it */
      }
      continue;
    }
    if (Date.now() >= deadline)
      throw new SimdnetError('SIMDNET_BUSY', `Cannot save model to ${dir}: another process (pid ${holder}) has been saving to it for over ${timeoutMs} ms (${path})`);
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** Whether a directory entry is this lock or a stale copy being removed (layout: never a user's file). */
export function isLockEntry(name: string): boolean {
  return name === LOCK_FILE || /^LOCK\.stale-\d+-[0-9a-f]+$/.test(name);
}
