import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCsv, readCsv, readCsvSync, loadCsvDataset } from '../../lib/data/csv.js';
import { loadDigits } from '../../lib/data/digits.js';
import { classCounts } from '../../lib/data/dataset.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'simdnet-csv-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parseErr(text: string, opts = {}): { code?: string; message: string } {
  try {
    parseCsv(text, opts, 'f.csv');
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('CSV', () => {
  it('reads a headerless numeric file with the label in the last column', () => {
    const c = parseCsv('1,2,0\n3.5,-4e-1,1\n\n', {}, 'a.csv');
    expect(c.header).toBeNull();
    expect(c.n).toBe(2);
    expect(c.features).toBe(2);
    expect(Array.from(c.x)).toEqual([1, 2, 3.5, Math.fround(-0.4)]);
    expect(Array.from(c.labels!)).toEqual([0, 1]);
    expect(c.numClasses).toBe(2);
    expect(c.classNames).toBeNull();
    expect(c.featureNames).toEqual(['column 1', 'column 2']);
  });

  it('detects a header, takes the label column by name or index, maps class names (sorted)', () => {
    const text = 'sepal,petal,"species"\r\n5.1,1.4,setosa\r\n6.3,4.9,virginica\r\n5.9,4.2,versicolor\r\n';
    const c = parseCsv(text);
    expect(c.header).toEqual(['sepal', 'petal', 'species']);
    expect(c.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(c.labels!)).toEqual([0, 2, 1]);
    const byName = parseCsv('label,a,b\n3,1,2\n1,3,4\n', { labelColumn: 'label' });
    expect(Array.from(byName.labels!)).toEqual([3, 1]);
    expect(byName.numClasses).toBe(4);
    expect(Array.from(byName.x)).toEqual([1, 2, 3, 4]);
    expect(byName.featureNames).toEqual(['a', 'b']);
    const first = parseCsv('7,1,2\n2,3,4\n', { labelColumn: 0 });
    expect(Array.from(first.labels!)).toEqual([7, 2]);
    const none = parseCsv('1,2\n3,4\n', { labelColumn: null });
    expect(none.labels).toBeNull();
    expect(none.features).toBe(2);
  });

  it('a header of names is detected even when the label cells are words; explicit header:false forces data', () => {
    // Only the label cell is non-numeric: data, not a header.
    const c = parseCsv('1,2,cat\n3,4,dog\n');
    expect(c.header).toBeNull();
    expect(c.n).toBe(2);
    expect(parseErr('a,b,c\n1,2,3\n', { header: false }).message).toMatch(/f\.csv:1:1: expected a number in column 'column 1' but found 'a'/);
  });

  it('non-integer or negative numeric labels become sorted class names', () => {
    const c = parseCsv('1,-1\n2,1\n3,0.5\n');
    expect(c.classNames).toEqual(['-1', '0.5', '1']);
    expect(Array.from(c.labels!)).toEqual([0, 2, 1]);
  });

  it('handles quoted fields with delimiters and escaped quotes, other delimiters, and a BOM', () => {
    const c = parseCsv('\ufeff"a ""x""","b;c",label\n"1", 2 ,"yes, really"\n', {});
    expect(c.header).toEqual(['a "x"', 'b;c', 'label']);
    expect(Array.from(c.x)).toEqual([1, 2]);
    expect(c.classNames).toEqual(['yes, really']);
    const semi = parseCsv('1;2;0\n3;4;1\n', { delimiter: ';' });
    expect(Array.from(semi.x)).toEqual([1, 2, 3, 4]);
  });

  it('names file, line and column for non-numeric and empty cells', () => {
    let e = parseErr('a,b,y\n1,2,0\n3,x4,1\n');
    expect(e.code).toBe('SIMDNET_PARSE');
    expect(e.message).toBe("f.csv:3:2: expected a number in column 'b' but found 'x4'");
    e = parseErr('1,2,0\n\n1,,1\n');
    expect(e.message).toBe("f.csv:3:2: expected a number in column 'column 2' but found an empty cell");
    e = parseErr('1,2,0\n1,NaN,1\n');
    expect(e.message).toMatch(/^f\.csv:2:2: .*'NaN'/);
    e = parseErr('1,2,0\n1,1e39,1\n');
    expect(e.message).toMatch(/^f\.csv:2:2: value 1e39 .* does not fit a float32/);
    e = parseErr('1,2,0\n1,2,\n');
    expect(e.message).toMatch(/^f\.csv:2:3: empty label/);
  });

  it('reports ragged rows with the line number and the expected count', () => {
    const e = parseErr('h1,h2,y\n1,2,0\n1,2,3,4\n');
    expect(e.code).toBe('SIMDNET_PARSE');
    expect(e.message).toBe('f.csv:3: expected 3 cells (as on line 1) but found 4');
    expect(parseErr('1,2,0\n1,0\n').message).toBe('f.csv:2: expected 3 cells (as on line 1) but found 2');
  });

  it('reports malformed quoting, empty files, header-only files and bad options', () => {
    expect(parseErr('1,"2,0\n').message).toMatch(/^f\.csv:1:3: unterminated quoted field/);
    expect(parseErr('1,"2"x,0\n').message).toMatch(/^f\.csv:1:6: unexpected text after a quoted field/);
    expect(parseErr('\n \n').message).toMatch(/f\.csv: no data/);
    expect(parseErr('a,b,c\n').message).toMatch(/header on line 1 is followed by no data rows/);
    expect(parseErr('a,b\n1,2\n', { labelColumn: 'z' }).message).toMatch(/no column named 'z'/);
    expect(parseErr('1,2\n', { labelColumn: 5 }).code).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(parseErr('1,2\n', { delimiter: ',,' }).code).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(parseErr('1\n2\n').message).toMatch(/only the label column/);
  });

  it('reads files (gzipped or not), rejects binary and missing files', async () => {
    const text = 'a,b,y\n1,2,0\n3,4,1\n';
    const p = join(dir, 'd.csv');
    const gz = join(dir, 'd.csv.gz');
    writeFileSync(p, text);
    writeFileSync(gz, gzipSync(text));
    expect(Array.from((await readCsv(p)).x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(readCsvSync(gz).x)).toEqual([1, 2, 3, 4]);
    const ds = await loadCsvDataset(gz);
    expect(ds.n).toBe(2);
    expect(ds.source).toBe(gz);
    const bin = join(dir, 'b.csv');
    writeFileSync(bin, Uint8Array.from([0xff, 0xfe, 0x00, 0x80]));
    await expect(readCsv(bin)).rejects.toMatchObject({ code: 'SIMDNET_PARSE', message: expect.stringContaining(bin) });
    await expect(readCsv(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'SIMDNET_IO', message: expect.stringMatching(/missing\.csv: no such file/) });
    const ragged = join(dir, 'r.csv');
    writeFileSync(ragged, '1,2,0\n1,2\n');
    await expect(loadCsvDataset(ragged)).rejects.toMatchObject({ code: 'SIMDNET_PARSE', message: `${ragged}:2: expected 3 cells (as on line 1) but found 2` });
    await expect(loadCsvDataset(p, { labelColumn: null })).rejects.toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
  });
});

describe('embedded digits', () => {
  it('has 1,797 samples of 64 pixels in [0, 1] and 10 balanced classes', async () => {
    const d = await loadDigits();
    expect(d.n).toBe(1797);
    expect(d.features).toBe(64);
    expect(d.numClasses).toBe(10);
    expect(d.sampleShape).toEqual([8, 8]);
    let lo = Infinity, hi = -Infinity;
    for (const v of d.x) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    for (const c of classCounts(d)) expect(c).toBeGreaterThanOrEqual(174);
    // First sample of sklearn's load_digits(): a 0; pixel 2 is 5/16.
    expect(d.labels[0]).toBe(0);
    expect(d.x[2]).toBe(5 / 16);
    const raw = await loadDigits({ normalize: false });
    expect(raw.x[2]).toBe(5);
  });

  it('a damaged copy is reported', async () => {
    const p = join(dir, 'digits-bad.csv');
    writeFileSync(p, '1,2,3\n4,5,6\n');
    await expect(loadDigits({ path: p })).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringContaining(p) });
  });
});
