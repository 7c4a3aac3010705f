// save() under concurrency, old layouts and leftovers, and the loader's refusals that are not about damage
// (issue 11): 60 concurrent saves to one path in one process are serialised; two processes saving to one path while
// this one loads it never produce a raw error or a mixed model; directories written before CURRENT load and are
// replaced by the next save; what crashed saves left (by dead pids) goes, a live writer's files stay; NaN weights
// are refused unless allowNonFinite; setWeights refuses NaN; maxParams is enforced and overridable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Dense, Sequential, loadModel } from '../../lib/index.js';
import { BACKENDS, asyncCodeOf, codeOf } from '../models/backends.js';
import { buildDist } from '../cli/build-dist.js';
import { filesOf, makeLegacy } from './layout.js';
import { saveModel, type FsOps } from '../../lib/io/save.js';
import * as fsp from 'node:fs/promises';
// @ts-expect-error plain JS shared with the child
import { MODELS, pattern } from './pattern.mjs';

let dir: string;
beforeAll(async () => {
  buildDist();
  dir = await mkdtemp(join(tmpdir(), 'simdnet-atomic-'));
}, 240_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function small(k: number, backend: 'js' | 'native' = 'js'): Sequential {
  const spec = MODELS.small;
  const m = new Sequential(spec.units.map((units: number, i: number) => new Dense({ units, ...(i === 0 ? { inputShape: [spec.input] } : {}) })));
  m.compile({ optimizer: 'adam', loss: 'mse', backend, seed: 1 });
  m.setWeights(pattern(k, m.getWeights().map((w) => w.shape)));
  return m;
}

/** Which pattern k a loaded model holds, after checking every value bit for bit. */
function savedK(m: Sequential): number {
  const w = m.getWeights();
  const k = Math.floor(w[0].data()[0]);
  const want = pattern(k, w.map((t) => t.shape));
  w.forEach((t, p) => expect(Buffer.from(t.data().buffer).equals(Buffer.from(want[p].buffer)), `param ${p} of save ${k}`).toBe(true));
  return k;
}

/** A pid that no process has now (a child that has exited). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('concurrent saves', () => {
  it('60 saves to one path at once in one process: all succeed, in call order, one version left', async () => {
    const path = join(dir, 'sixty');
    const models = Array.from({ length: 60 }, (_, k) => small(k + 1));
    const results = await Promise.allSettled(models.map((m) => m.save(path)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const l = await loadModel(path, { backend: 'js' });
    expect(savedK(l)).toBe(60);
    expect((await readdir(path)).sort()).toEqual(['CURRENT', (await readFile(join(path, 'CURRENT'), 'utf8')).trim()].sort());
    for (const m of [...models, l]) m.dispose();
  });

  it('two processes saving to one path while this one loads it: every load is one complete save', async () => {
    const path = join(dir, 'two-procs');
    const first = small(1);
    await first.save(path);
    first.dispose();
    const child = fileURLToPath(new URL('./save-child.mjs', import.meta.url));
    const procs = [1000, 5000].map((k0) => {
      const p = spawn(process.execPath, [child, path, 'small', String(k0)], { stdio: ['ignore', 'pipe', 'pipe'] });
      const state = { done: 0, err: '', exit: null as string | null };
      p.stdout.on('data', (d) => (state.done += (String(d).match(/^done/gm) ?? []).length));
      p.stderr.on('data', (d) => (state.err += d));
      p.on('exit', (code, signal) => (state.exit = `${code} ${signal}`));
      return { p, state };
    });
    const seen = new Set<number>();
    let loads = 0;
    const t0 = Date.now();
    try {
      while ((procs.some((c) => c.state.done < 30) && Date.now() - t0 < 60_000) || loads < 50) {
        const m = await loadModel(path, { backend: 'js' });
        seen.add(savedK(m));
        m.dispose();
        loads++;
        if (procs.some((c) => c.state.exit !== null)) break;
      }
    } finally {
      for (const c of procs) c.p.kill('SIGKILL');
      await Promise.all(procs.map((c) => new Promise((r) => (c.state.exit !== null ? r(null) : c.p.on('exit', r)))));
    }
    // neither writer failed (a raw ENOENT/ENOTEMPTY would have ended it with an unhandled rejection)
    for (const c of procs) {
      expect(c.state.err).toBe('');
      expect(c.state.done).toBeGreaterThan(0);
    }
    expect([...seen].some((k) => k >= 1000 && k < 5000) && [...seen].some((k) => k >= 5000)).toBe(true);
    // after both are gone, one save here leaves CURRENT and its version only
    const last = await loadModel(path, { backend: 'js' });
    await last.save(path);
    last.dispose();
    expect((await readdir(path)).length).toBe(2);
  }, 120_000);
});

describe('durability order', () => {
  it('fsyncs every file, the version directory, CURRENT.tmp and the model directory before the one rename, and the model directory after', async () => {
    const path = join(dir, 'fsync-order');
    const log: string[] = [];
    const rel = (p: unknown) => String(p).slice(path.length + 1).replace(/v-\d+-[0-9a-f]{8}/, 'V').replace(/CURRENT\.\d+-[0-9a-f]{8}\.tmp/, 'CURRENT.tmp') || '.';
    const ops: FsOps = {
      ...fsp,
      open: (async (p: string, flags: string) => {
        const fh = await fsp.open(p, flags);
        const sync = fh.sync.bind(fh);
        fh.sync = async () => {
          log.push(`fsync ${rel(p)}`);
          return sync();
        };
        return fh;
      }) as FsOps['open'],
      rename: async (from, to) => {
        log.push(`rename ${rel(from)} ${rel(to)}`);
        return fsp.rename(from, to);
      },
    };
    const m = small(11);
    await saveModel(m, path, ops);
    expect(log).toEqual([
      'fsync V/weights.bin', 'fsync V/optimizer.bin', 'fsync V/model.json', 'fsync V',
      'fsync CURRENT.tmp', 'fsync .', 'rename CURRENT.tmp CURRENT', 'fsync .',
    ]);
    expect(savedK(await loadModel(path, { backend: 'js' }))).toBe(11);
    m.dispose();
  });
});

describe('layout compatibility and leftovers', () => {
  it('a directory in the layout from before CURRENT loads, and the next save replaces it', async () => {
    const path = join(dir, 'legacy');
    const a = small(7);
    await a.save(path);
    await makeLegacy(path);
    expect((await readdir(path)).sort()).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
    const l = await loadModel(path, { backend: 'js' });
    expect(savedK(l)).toBe(7);
    const b = small(8);
    await b.save(path);
    const names = await readdir(path);
    expect(names).toHaveLength(2);
    expect(names).toContain('CURRENT');
    expect(savedK(await loadModel(path, { backend: 'js' }))).toBe(8);
    for (const m of [a, b, l]) m.dispose();
  });

  it('a crash of the old save code between its two renames is recovered from the .old directory', async () => {
    const path = join(dir, 'old-crash');
    const a = small(9);
    await a.save(path);
    await makeLegacy(path);
    const pid = deadPid();
    await rename(path, join(dir, `.old-crash.old-${pid}-0123abcd`)); // what the old save had done when it died
    await mkdir(join(dir, `.old-crash.tmp-${pid}-0123abcd`));
    expect(savedK(await loadModel(path, { backend: 'js' }))).toBe(9);
    expect((await readdir(dir)).filter((f) => f.includes('old-crash'))).toEqual(['old-crash']);
    a.dispose();
  });

  it('the next save removes what dead writers left and keeps a live writer\'s files', async () => {
    const path = join(dir, 'leftovers');
    const a = small(3);
    await a.save(path);
    const dead = deadPid();
    const live = process.ppid; // the test runner: alive while this runs
    const left = [`v-${dead}-00000001`, `CURRENT.${dead}-00000002.tmp`];
    const kept = [`v-${live}-00000003`, `CURRENT.${live}-00000004.tmp`];
    for (const f of [...left, ...kept]) {
      if (f.startsWith('v-')) await mkdir(join(path, f));
      else await writeFile(join(path, f), 'v-1-00000000\n');
    }
    await a.save(path);
    const names = await readdir(path);
    for (const f of left) expect(names).not.toContain(f);
    for (const f of kept) expect(names).toContain(f);
    expect(names).toHaveLength(2 + kept.length);
    // a load cleans up too
    for (const f of left) await mkdir(join(path, f)).catch(() => writeFile(join(path, f), ''));
    (await loadModel(path, { backend: 'js' })).dispose();
    expect((await readdir(path)).filter((f) => left.includes(f))).toEqual([]);
    a.dispose();
  });

  it('a refused save leaves the previous model and its files as they were', async () => {
    const path = join(dir, 'failing');
    const a = small(4);
    await a.save(path);
    const files = await filesOf(path);
    await writeFile(join(path, 'intruder.txt'), 'x');
    expect(await asyncCodeOf(small(5).save(path))).toBe('SIMDNET_IO');
    await rm(join(path, 'intruder.txt'));
    expect(await filesOf(path)).toBe(files);
    expect(savedK(await loadModel(path, { backend: 'js' }))).toBe(4);
    a.dispose();
  });
});

describe('refusals that are not damage', () => {
  async function forgeNaN(path: string) {
    const f = await filesOf(path);
    const w = await readFile(join(f, 'weights.bin'));
    w.writeFloatLE(NaN, 8);
    await writeFile(join(f, 'weights.bin'), w);
    const j = JSON.parse(await readFile(join(f, 'model.json'), 'utf8'));
    j.weightsManifest.sha256 = createHash('sha256').update(w).digest('hex');
    await writeFile(join(f, 'model.json'), JSON.stringify(j));
  }

  it.each(BACKENDS)('NaN weights are refused unless allowNonFinite (%s engine)', async (backend) => {
    const path = join(dir, `nan-${backend}`);
    const a = small(2, backend);
    await a.save(path);
    await forgeNaN(path);
    expect(await asyncCodeOf(loadModel(path, { backend }))).toBe('SIMDNET_NOT_FINITE');
    const l = await loadModel(path, { backend, allowNonFinite: true });
    expect(Number.isNaN(l.getWeights()[0].data()[2])).toBe(true);
    expect(await asyncCodeOf(loadModel(path, { backend, allowNonFinite: 'yes' as never }))).toBe('SIMDNET_INVALID_ARGUMENT');
    a.dispose();
    l.dispose();
  });

  it.each(BACKENDS)('setWeights refuses NaN and Infinity and changes nothing (%s engine)', (backend) => {
    const m = small(6, backend);
    const before = m.getWeights().map((t) => t.data());
    for (const bad of [NaN, Infinity, -Infinity]) {
      const ws = m.getWeights().map((t) => t.data());
      ws[1][ws[1].length - 1] = bad;
      expect(codeOf(() => m.setWeights(ws))).toBe('SIMDNET_NOT_FINITE');
    }
    expect(m.getWeights().map((t) => t.data())).toEqual(before);
    m.dispose();
  });

  it('maxParams: the default takes a small model, a lower limit refuses it before reading weights.bin', async () => {
    const path = join(dir, 'limit');
    const a = small(1);
    await a.save(path);
    const n = a.countParams();
    expect(await asyncCodeOf(loadModel(path, { backend: 'js', maxParams: n - 1 }))).toBe('SIMDNET_OUT_OF_MEMORY');
    (await loadModel(path, { backend: 'js', maxParams: n })).dispose();
    expect(await asyncCodeOf(loadModel(path, { backend: 'js', maxParams: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    a.dispose();
  });
});
