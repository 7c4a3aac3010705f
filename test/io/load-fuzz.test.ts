// loadModel trusts nothing (issue 11): 10,000+ mutated model directories (bit flips, truncations, extensions,
// forged manifests with recomputed checksums, huge shapes, hostile numbers, other dtypes and endianness,
// misaligned/overlapping offsets, special files: FIFOs, /dev/zero, symlinks out of the directory, directories
// where files belong). Every load must resolve or reject with a SIMDNET_ code within 5 s, RSS must stay within the
// model's size + 100 MB, and the mutations whose answer is known must get it (a FIFO is SIMDNET_IO, float16 is
// SIMDNET_UNSUPPORTED_FORMAT, a misaligned offset is SIMDNET_CORRUPT_FILE, NaN is SIMDNET_NOT_FINITE...). One model
// directory on tmpfs is rewritten in place for each case, so the run is fast enough for CI.
// Also run under the ASan addon build (tools/addon-sanitize.sh runs test/io); RSS there includes ASan's quarantine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchNormalization, Dense, Sequential, loadModel, tensor } from '../../lib/index.js';
import { filesOf } from './layout.js';

const ITERATIONS = 10_000;
const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'simdnet-fuzz-'));
const dir = join(root, 'm');
const outside = join(root, 'outside.bin');
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let base: { json: Json; weights: Buffer; optimizer: Buffer };

beforeAll(async () => {
  const m = new Sequential([
    new Dense({ units: 6, inputShape: [4], activation: 'relu' }),
    new BatchNormalization(),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'], seed: 1 });
  await m.fit(tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [8, 4]),
    tensor(Float32Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [8, 3]), { epochs: 1, verbose: 0 });
  const src = join(root, 'src');
  await m.save(src);
  m.dispose();
  const f = await filesOf(src);
  base = {
    json: JSON.parse(readFileSync(join(f, 'model.json'), 'utf8')),
    weights: readFileSync(join(f, 'weights.bin')),
    optimizer: readFileSync(join(f, 'optimizer.bin')),
  };
  writeFileSync(outside, Buffer.alloc(base.weights.length));
});

/** xorshift32: deterministic, replayable from the printed seed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)] };
}
type Rng = ReturnType<typeof rng>;

/** A case: the files to write (text for model.json so that 1e999 and friends survive), and what must happen. */
interface Case {
  name: string;
  json: string;
  weights: Buffer;
  optimizer: Buffer;
  /** Replaces one file by something that is not a regular file, after the others are written. */
  special?: { file: string; make: (path: string) => void };
  /** Write as a CURRENT-layout save (CURRENT + version directory) instead of files at the top. */
  versioned: boolean;
  /** The one code a correct loader gives ('ok' = loads), when it is known. */
  expect?: string;
  allowNonFinite?: boolean;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const clone = (j: Json): Json => structuredClone(j);
const EVIL: unknown[] = [
  -1, 0, 1, 3, 2 ** 31, 2 ** 32 + 4, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 1.5, 0.1, -0, null, true, false, '', 'x', '12', 'float32',
  [], {}, [1e9, 1e9], [-1], [0], [1.5], { name: 'x' }, 'x'.repeat(5000), '__INF__', '__NEGINF__', '__BIGINT__',
];
/** A fresh copy of a hostile value: EVIL's objects and arrays are shared, and a later setPath of the same case can
 *  reach inside one (paths() walks into it), which mutated EVIL itself, even into a cycle that JSON.stringify refused. */
const evil = (r: Rng): unknown => structuredClone(r.pick(EVIL));
const text = (j: Json) => JSON.stringify(j).replaceAll('"__INF__"', '1e999').replaceAll('"__NEGINF__"', '-1e999').replaceAll('"__BIGINT__"', '123456789012345678901234567890');

/** Every path to a value in the object (objects and arrays too), for forging one field. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (at.length) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths((v as Json)[k], [...at, k], out);
  return out;
}
function setPath(j: Json, p: (string | number)[], value: unknown): void {
  let o = j;
  for (const k of p.slice(0, -1)) o = o[k];
  if (value === undefined) delete o[p[p.length - 1]];
  else o[p[p.length - 1]] = value;
}
function flipBits(b: Buffer, r: Rng, n: number): Buffer {
  const c = Buffer.from(b);
  if (c.length) for (let i = 0; i < n; i++) c[r.int(c.length)] ^= 1 << r.int(8);
  return c;
}
/** Weights edited and the manifest made to agree again (a forgery, not corruption: the checksum cannot catch it). */
function forgeWeights(j: Json, w: Buffer): Json {
  const f = clone(j);
  f.weightsManifest.sha256 = sha(w);
  f.weightsManifest.byteLength = w.length;
  return f;
}

const mkfifo = (p: string) => execFileSync('mkfifo', [p]);
const SPECIALS: { name: string; make: (p: string) => void; expect: string }[] = [
  { name: 'fifo', make: mkfifo, expect: 'SIMDNET_IO' },
  { name: '/dev/zero symlink', make: (p) => symlinkSync('/dev/zero', p), expect: 'SIMDNET_IO' },
  { name: 'symlink out of the directory', make: (p) => symlinkSync(outside, p), expect: 'SIMDNET_IO' },
  { name: 'dangling symlink', make: (p) => symlinkSync(join(root, 'nothing-here'), p), expect: 'SIMDNET_IO' },
  { name: 'directory', make: (p) => mkdirSync(p), expect: 'SIMDNET_IO' },
  { name: 'missing', make: () => {}, expect: 'SIMDNET_IO' },
];

function makeCase(r: Rng): Case {
  const j = clone(base.json);
  const c: Case = { name: '', json: '', weights: base.weights, optimizer: base.optimizer, versioned: r.next() < 0.3 };
  const kind = r.int(16);
  switch (kind) {
    case 0: { // bit flips in model.json's text
      const n = 1 + r.int(4);
      c.name = `model.json ${n} bit flips`;
      c.json = flipBits(Buffer.from(text(j)), r, n).toString('latin1');
      return c;
    }
    case 1: // bit flips in weights.bin or optimizer.bin: the checksum refuses them
    case 2: {
      const file = kind === 1 ? 'weights' : 'optimizer';
      c[file] = flipBits(c[file], r, 1 + r.int(4));
      c.name = `${file}.bin bit flips`;
      c.expect = c[file].equals(base[file]) ? 'ok' : 'SIMDNET_CORRUPT_FILE'; // two flips of one bit cancel
      break;
    }
    case 3: { // forged weights: flipped bits with a recomputed checksum load (finite) or are refused (NaN/Inf)
      const w = flipBits(base.weights, r, 1 + r.int(8));
      Object.assign(j, forgeWeights(j, w));
      c.weights = w;
      const f = new Float32Array(w.buffer.slice(w.byteOffset, w.byteOffset + w.length));
      c.expect = f.every(Number.isFinite) ? 'ok' : 'SIMDNET_NOT_FINITE';
      c.name = 'forged weights';
      break;
    }
    case 4: { // truncations and extensions, with and without a manifest that agrees
      const file = r.pick(['weights', 'optimizer', 'json'] as const);
      const grow = r.next() < 0.5;
      const b = file === 'json' ? Buffer.from(text(j)) : c[file];
      const cut = grow ? Buffer.concat([b, Buffer.alloc(1 + r.int(64), r.int(256))]) : b.subarray(0, r.int(b.length));
      c.name = `${file} ${grow ? 'extended' : 'truncated'}`;
      if (file === 'json') {
        c.json = cut.toString('latin1');
        return c;
      }
      c[file] = cut;
      if (file === 'weights' && r.next() < 0.5) Object.assign(j, forgeWeights(j, cut)), (c.name += ', manifest forged');
      c.expect = 'SIMDNET_CORRUPT_FILE';
      break;
    }
    case 5: case 6: case 7: { // one field forged to a hostile value (any field, structure included)
      const all = paths(j);
      const p = r.pick(all);
      const v = r.next() < 0.1 ? undefined : evil(r);
      setPath(j, p, v);
      c.name = `${p.join('.')} = ${v === undefined ? '(deleted)' : JSON.stringify(v)?.slice(0, 30)}`;
      break;
    }
    case 8: { // huge shapes: the topology and manifest claim a model too large to allocate
      const units = r.pick([1e5, 1e6, 1e7, 1e9, 2 ** 31, 2 ** 40]);
      j.modelTopology.config.layers[0].config.units = units;
      if (r.next() < 0.5) j.modelTopology.config.layers[0].config.inputShape = [r.pick([1e6, 1e9, 2 ** 40])];
      const inSize = j.modelTopology.config.layers[0].config.inputShape[0];
      j.weightsManifest.params[0].shape = [inSize, units];
      j.weightsManifest.params[1].shape = [units];
      j.weightsManifest.byteLength = 4 * (inSize * units + units);
      c.name = `huge layer ${inSize}x${units}`;
      // dense [in, units] + bias, batch norm 4 x units, dense [units, 3] + bias: over the 1e8 default, refused as such
      const total = inSize * units + 8 * units + 3;
      c.expect = units > 1e8 || inSize > 1e8 || total > 1e8 ? 'SIMDNET_OUT_OF_MEMORY' : 'SIMDNET_CORRUPT_FILE';
      break;
    }
    case 9: { // other dtypes and byte orders are refused, not misread
      if (r.next() < 0.5) j.weightsManifest.dtype = r.pick(['float16', 'float64', 'int8', 'bfloat16', 'FLOAT32']);
      else j.weightsManifest.endianness = r.pick(['big', 'BIG', 'native', 'Little']);
      c.name = `dtype ${j.weightsManifest.dtype} ${j.weightsManifest.endianness}`;
      c.expect = 'SIMDNET_UNSUPPORTED_FORMAT';
      break;
    }
    case 10: { // offsets: misaligned, overlapping, past the end, a gap; or a valid permutation, which loads
      const ps = j.weightsManifest.params;
      const which = r.int(5);
      const i = r.int(ps.length);
      if (which === 0) ps[i].offset += 1 + r.int(3);
      else if (which === 1) ps[(i + 1) % ps.length].offset = ps[i].offset;
      else if (which === 2) ps[i].offset = j.weightsManifest.byteLength - 4 * r.int(3);
      else if (which === 3) ps[ps.length - 1].offset += 4;
      c.name = `weights offsets ${['misaligned', 'overlapping', 'past the end', 'with a gap', 'permuted'][which]}`;
      c.expect = 'SIMDNET_CORRUPT_FILE';
      if (which === 4) {
        // the same bytes described in another order: rebuild the file so each parameter keeps its values
        const order = ps.map((_: unknown, k: number) => k).reverse();
        const sizes = ps.map((p: Json) => 4 * p.shape.reduce((a: number, b: number) => a * b, 1));
        const parts: Buffer[] = [];
        let at = 0;
        for (const k of order) {
          parts.push(base.weights.subarray(ps[k].offset, ps[k].offset + sizes[k]));
          ps[k].offset = at;
          at += sizes[k];
        }
        c.weights = Buffer.concat(parts);
        j.weightsManifest.sha256 = sha(c.weights);
        c.expect = 'ok';
      }
      break;
    }
    case 11: { // the optimizer manifest: the same structural checks
      const os = j.optimizerState;
      const a = os.arrays[r.int(os.arrays.length)];
      const which = r.int(4);
      if (which === 0) a.offset += 2;
      else if (which === 1) a.offset = os.arrays[0].offset === a.offset ? os.arrays[1].offset : os.arrays[0].offset;
      else if (which === 2) a.length += 1;
      else os.byteLength += 4;
      c.name = `optimizer ${['misaligned', 'overlapping', 'length', 'byteLength'][which]}`;
      c.expect = 'SIMDNET_CORRUPT_FILE';
      break;
    }
    case 12: { // NaN/Inf weights with a matching checksum: refused unless allowNonFinite
      const w = Buffer.from(base.weights);
      w.writeFloatLE(r.pick([NaN, Infinity, -Infinity]), 4 * r.int(w.length / 4));
      Object.assign(j, forgeWeights(j, w));
      c.weights = w;
      c.allowNonFinite = r.next() < 0.3;
      c.expect = c.allowNonFinite ? 'ok' : 'SIMDNET_NOT_FINITE';
      c.name = `non-finite weight${c.allowNonFinite ? ' (allowed)' : ''}`;
      break;
    }
    case 13: { // special files where a file belongs
      const s = r.pick(SPECIALS);
      const file = r.pick(['weights.bin', 'optimizer.bin', 'model.json', ...(c.versioned ? ['CURRENT'] : [])]);
      c.special = { file, make: s.make };
      c.name = `${file} is a ${s.name}`;
      c.expect = s.expect;
      if (file === 'model.json' && s.name === 'missing' && !c.versioned) c.expect = 'SIMDNET_IO';
      break;
    }
    case 14: { // structure: parameters dropped, duplicated, renamed, layers reordered
      const which = r.int(4);
      const ps = j.weightsManifest.params;
      if (which === 0) ps.pop();
      else if (which === 1) ps.push(clone(ps[0]));
      else if (which === 2) ps[r.int(ps.length)].name = 'dense_9/kernel';
      else j.modelTopology.config.layers.reverse();
      c.name = `structure ${['param dropped', 'param duplicated', 'param renamed', 'layers reversed'][which]}`;
      c.expect = 'SIMDNET_CORRUPT_FILE';
      break;
    }
    default: { // several forged fields at once
      for (let k = 0; k < 2 + r.int(3); k++) setPath(j, r.pick(paths(j)), evil(r));
      c.name = 'several fields forged';
    }
  }
  c.json = text(j);
  return c;
}

function clear(path: string) {
  rmSync(path, { recursive: true, force: true });
}

/** Writes the case into the reused directory. */
function materialise(c: Case): void {
  clear(dir);
  mkdirSync(dir);
  const files = c.versioned ? join(dir, 'v-1-00000000') : dir;
  if (c.versioned) {
    mkdirSync(files);
    writeFileSync(join(dir, 'CURRENT'), 'v-1-00000000\n');
  }
  writeFileSync(join(files, 'model.json'), c.json, 'latin1');
  writeFileSync(join(files, 'weights.bin'), c.weights);
  writeFileSync(join(files, 'optimizer.bin'), c.optimizer);
  if (c.special) {
    const at = join(c.special.file === 'CURRENT' ? dir : files, c.special.file);
    clear(at);
    c.special.make(at);
  }
}

async function settle(c: Case): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('TIMEOUT'), 5000)));
  const load = loadModel(dir, { allowNonFinite: c.allowNonFinite }).then(
    (m) => {
      m.dispose();
      return 'ok';
    },
    (e) => (typeof e?.code === 'string' && e.code.startsWith('SIMDNET_') ? e.code : `UNCODED ${e?.name}: ${e?.message}`),
  );
  try {
    return await Promise.race([load, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('loadModel fuzz', () => {
  it(`${ITERATIONS} mutated directories: each loads or is refused with a SIMDNET_ code within 5 s, memory bounded`, async () => {
    const seed = Number(process.env.SIMDNET_FUZZ_SEED ?? Date.now() % 1e9);
    const r = rng(seed);
    // the unmutated model loads, in both layouts
    for (const versioned of [false, true]) {
      materialise({ name: 'base', json: text(base.json), weights: base.weights, optimizer: base.optimizer, versioned });
      expect(await settle({ versioned } as Case)).toBe('ok');
    }
    const asan = /libasan/.test(process.env.LD_PRELOAD ?? '');
    // ASan keeps freed memory in its quarantine (256 MB by default): RSS there measures that too.
    const bound = base.weights.length + 100 * 2 ** 20 + (asan ? 300 * 2 ** 20 : 0);
    const counts = new Map<string, number>();
    const wrong: string[] = [];
    let rss0 = 0;
    let maxGrowth = 0;
    let ran = 0;
    const t0 = performance.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const c = makeCase(r);
      ran++;
      materialise(c);
      const got = await settle(c);
      counts.set(got, (counts.get(got) ?? 0) + 1);
      if (!got.startsWith('SIMDNET_') && got !== 'ok') wrong.push(`#${i} ${c.name}: ${got}`);
      else if (c.expect && got !== c.expect) wrong.push(`#${i} ${c.name}: expected ${c.expect}, got ${got}`);
      if (i === 200) rss0 = process.memoryUsage().rss;
      if (i > 200 && i % 250 === 0) maxGrowth = Math.max(maxGrowth, process.memoryUsage().rss - rss0);
      if (wrong.length >= 20) break;
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(`load fuzz (seed ${seed}): ${ran} cases in ${secs.toFixed(1)} s, RSS growth max ${(maxGrowth / 2 ** 20).toFixed(1)} MB` +
      ` (bound ${(bound / 2 ** 20).toFixed(0)} MB); outcomes ${JSON.stringify(Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])))}`);
    expect(wrong).toEqual([]);
    expect(ran).toBe(ITERATIONS);
    expect(maxGrowth).toBeLessThan(bound);
    expect(counts.get('ok') ?? 0).toBeGreaterThan(100); // the fuzz also exercises loads that succeed
  }, 300_000);
});
