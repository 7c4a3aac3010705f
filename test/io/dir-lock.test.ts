// Cross-process save lock (lib/io/dir-lock.ts, issue 11): a live holder is waited for and then refused with
// SIMDNET_BUSY, a dead holder's lock (a save killed with -9) is taken over, and a save leaves no LOCK behind.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDirLock, LOCK_FILE } from '../../lib/io/dir-lock.js';
import { Dense, Sequential, loadModel } from '../../lib/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simdnet-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim()); // exited: no process has this pid now (reuse within the test is vanishingly rare)
}

/** A child process that holds the lock on `d` for `ms` milliseconds; resolves once it has it. */
function holder(d: string, ms: number): Promise<{ done: Promise<void> }> {
  const mod = new URL('../../dist/io/dir-lock.js', import.meta.url).href; // built by `npm test`'s pretest (tsc)
  const code = `const { acquireDirLock } = await import(${JSON.stringify(mod)});
    const release = await acquireDirLock(${JSON.stringify(d)});
    console.log('held'); await new Promise((r) => setTimeout(r, ${ms})); await release(); console.log('released');`;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    let out = '';
    const done = new Promise<void>((r) => p.on('exit', () => r()));
    p.stdout.on('data', (b) => {
      out += b;
      if (out.includes('held')) res({ done });
    });
    p.on('exit', (c) => (out.includes('held') ? undefined : rej(new Error(`holder exited ${c}`))));
  });
}

describe('the directory lock', () => {
  it('waits for a live holder in another process, then takes the lock', async () => {
    const d = join(dir, 'wait');
    await rm(d, { recursive: true, force: true });
    await import('node:fs/promises').then((f) => f.mkdir(d));
    const h = await holder(d, 600);
    const t0 = Date.now();
    const release = await acquireDirLock(d, 10_000);
    expect(Date.now() - t0).toBeGreaterThan(300); // it really waited for the holder
    await release();
    await h.done;
    expect(await readdir(d)).toEqual([]);
  }, 30_000);

  it('refuses with SIMDNET_BUSY when a live holder keeps it past the timeout', async () => {
    const d = join(dir, 'busy');
    await import('node:fs/promises').then((f) => f.mkdir(d));
    const h = await holder(d, 1500);
    await expect(acquireDirLock(d, 200)).rejects.toMatchObject({ code: 'SIMDNET_BUSY' });
    await h.done;
  }, 30_000);

  it('takes over a dead process\'s lock, and save() leaves no LOCK behind', async () => {
    const path = join(dir, 'stale');
    const m = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', backend: 'js' });
    await m.save(path);
    await writeFile(join(path, LOCK_FILE), `${deadPid()}\n`);
    await m.save(path); // would wait 30 s and fail if the stale lock were honoured
    expect((await readdir(path)).includes(LOCK_FILE)).toBe(false);
    const back = await loadModel(path, { backend: 'js' });
    expect(back.getWeights().length).toBe(m.getWeights().length);
    back.dispose();
    m.dispose();
  }, 30_000);
});
