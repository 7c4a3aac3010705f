/**
 * CSV data sets: one sample per line, numeric feature columns and one label column. Fields may be double-quoted
 * (RFC 4180: "" inside quotes is a quote) but may not span lines. Blank lines are skipped. Files may be gzipped.
 * Every problem is SIMDNET_PARSE with `file:line:column` (1-based), the column's name and the offending text.
 */
import { SimdnetError } from '../errors.js';
import { F32_MAX } from '../validate.js';
import type { Dataset } from './dataset.js';
import { readBytes, readBytesSync } from './io.js';

export interface CsvOptions {
  /** true: the first line is a header; false: it is data; 'auto' (default): a header when any of its feature cells
   *  is not a number (a label column holding class names does not count). Always true when labelColumn is a name. */
  header?: boolean | 'auto';
  /** The label column: a 0-based index (negative counts from the end; default -1, the last column), a header name,
   *  or null when the file has no labels. */
  labelColumn?: number | string | null;
  /** Field separator, one character (default ','). */
  delimiter?: string;
}

export interface CsvData {
  /** The header cells, or null when the file has none. */
  header: string[] | null;
  /** Names of the feature columns (header names, else 'column <k>' with 1-based k). */
  featureNames: string[];
  /** n x features values, row-major. */
  x: Float32Array;
  n: number;
  features: number;
  /** Labels as class indices, or null without a label column. Labels that are all non-negative integers are used
   *  as they are; anything else (words, negative or fractional numbers) is mapped to the index of its name in
   *  `classNames`, sorted (numerically when all are numbers). */
  labels: Int32Array | null;
  classNames: string[] | null;
  numClasses: number;
}

/** Decimal number as written in data files: optional sign, digits with optional fraction, optional exponent. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseError(source: string, line: number, column: number | null, message: string): SimdnetError {
  return new SimdnetError('SIMDNET_PARSE', `${source}:${line}${column === null ? '' : `:${column}`}: ${message}`);
}

function quote(s: string): string {
  return `'${s.length > 40 ? s.slice(0, 40) + '…' : s}'`;
}

/** Splits one line into trimmed fields; `lineNo` is for errors. */
function splitLine(line: string, delimiter: string, source: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(delimiter).map((s) => s.trim());
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      const start = i;
      let cell = '';
      i++;
      for (;;) {
        if (i >= line.length) throw parseError(source, lineNo, start + 1, `unterminated quoted field (fields cannot span lines)`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line[i++];
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== delimiter) throw parseError(source, lineNo, i + 1, `unexpected text after a quoted field`);
      out.push(cell);
    } else {
      let end = line.indexOf(delimiter, i);
      if (end < 0) end = line.length;
      out.push(line.slice(i, end).trim());
      i = end;
    }
    if (i >= line.length) break;
    i++; // the delimiter
    if (i === line.length) {
      out.push('');
      break;
    }
  }
  return out;
}

function resolveLabelColumn(labelColumn: number | string | null, header: string[] | null, cols: number, source: string): number | null {
  if (labelColumn === null) return null;
  if (typeof labelColumn === 'string') {
    const k = header ? header.indexOf(labelColumn) : -1;
    if (k < 0) throw new SimdnetError('SIMDNET_PARSE', `${source}: no column named ${quote(labelColumn)} in the header${header ? ` (${header.join(', ')})` : ''}`);
    return k;
  }
  if (!Number.isInteger(labelColumn) || labelColumn >= cols || labelColumn < -cols)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `${source}: labelColumn ${labelColumn} is outside the ${cols} columns`);
  return labelColumn < 0 ? cols + labelColumn : labelColumn;
}

/** Parses CSV text (already decoded). `source` names the file in error messages. */
export function parseCsv(text: string, options: CsvOptions = {}, source = '<csv>'): CsvData {
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a single-character delimiter other than quote and newline but received ${JSON.stringify(delimiter)}`);
  const labelOpt = options.labelColumn === undefined ? -1 : options.labelColumn;
  const lines = text.split('\n');
  if (lines.length > 0 && lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1); // UTF-8 byte-order mark
  // Data lines as [1-based line number, cells].
  const rows: Array<[number, string[]]> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    rows.push([i + 1, splitLine(line, delimiter, source, i + 1)]);
  }
  if (rows.length === 0) throw new SimdnetError('SIMDNET_PARSE', `${source}: no data (the file is empty)`);
  const cols = rows[0][1].length;
  let header: string[] | null = null;
  const headerOpt = typeof labelOpt === 'string' ? true : (options.header ?? 'auto');
  if (headerOpt === true) header = rows[0][1];
  else if (headerOpt === 'auto') {
    const guessLabel = typeof labelOpt === 'number' ? (labelOpt < 0 ? cols + labelOpt : labelOpt) : -1;
    if (rows[0][1].some((cell, k) => k !== guessLabel && !NUMBER.test(cell))) header = rows[0][1];
  }
  const labelCol = resolveLabelColumn(labelOpt, header, cols, source);
  const dataRows = header ? rows.slice(1) : rows;
  if (dataRows.length === 0) throw new SimdnetError('SIMDNET_PARSE', `${source}: the header on line ${rows[0][0]} is followed by no data rows`);
  const features = labelCol === null ? cols : cols - 1;
  if (features < 1) throw new SimdnetError('SIMDNET_PARSE', `${source}: only the label column, no feature columns`);
  const names = header ?? Array.from({ length: cols }, (_, k) => `column ${k + 1}`);
  const featureNames = names.filter((_, k) => k !== labelCol);
  const n = dataRows.length;
  const x = new Float32Array(n * features);
  const rawLabels: string[] = [];
  const firstLine = rows[0][0];
  for (let r = 0; r < n; r++) {
    const [lineNo, cells] = dataRows[r];
    if (cells.length !== cols)
      throw parseError(source, lineNo, null, `expected ${cols} cells (as on line ${firstLine}) but found ${cells.length}`);
    let f = 0;
    for (let k = 0; k < cols; k++) {
      const cell = cells[k];
      if (k === labelCol) {
        if (cell === '') throw parseError(source, lineNo, k + 1, `empty label in column ${quote(names[k])}`);
        rawLabels.push(cell);
        continue;
      }
      if (!NUMBER.test(cell)) {
        const what = cell === '' ? 'an empty cell' : quote(cell);
        throw parseError(source, lineNo, k + 1, `expected a number in column ${quote(names[k])} but found ${what}`);
      }
      const v = Number(cell);
      if (!Number.isFinite(v) || Math.abs(v) > F32_MAX)
        throw parseError(source, lineNo, k + 1, `value ${cell} in column ${quote(names[k])} does not fit a float32`);
      x[r * features + f++] = v;
    }
  }
  let labels: Int32Array | null = null;
  let classNames: string[] | null = null;
  let numClasses = 0;
  if (labelCol !== null) {
    labels = new Int32Array(n);
    const allInts = rawLabels.every((s) => /^\+?\d+$/.test(s) && Number(s) < 2 ** 31);
    if (allInts) {
      for (let r = 0; r < n; r++) {
        labels[r] = Number(rawLabels[r]);
        if (labels[r] + 1 > numClasses) numClasses = labels[r] + 1;
      }
    } else {
      const distinct = [...new Set(rawLabels)];
      const numeric = distinct.every((s) => NUMBER.test(s));
      distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
      const index = new Map(distinct.map((s, i) => [s, i]));
      for (let r = 0; r < n; r++) labels[r] = index.get(rawLabels[r])!;
      classNames = distinct;
      numClasses = distinct.length;
    }
  }
  return { header, featureNames, x, n, features, labels, classNames, numClasses };
}

function decode(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new SimdnetError('SIMDNET_PARSE', `${path}: not UTF-8 text (is it a binary file?)`, { cause: err });
  }
}

export async function readCsv(path: string, options: CsvOptions = {}): Promise<CsvData> {
  return parseCsv(decode(await readBytes(path), path), options, path);
}

export function readCsvSync(path: string, options: CsvOptions = {}): CsvData {
  return parseCsv(decode(readBytesSync(path), path), options, path);
}

/** A CSV's samples as a classification Dataset (needs a label column). */
export function csvToDataset(csv: CsvData, source: string): Dataset {
  if (!csv.labels) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `${source}: a data set needs a label column`);
  const ds: Dataset = { x: csv.x, labels: csv.labels, n: csv.n, features: csv.features, numClasses: csv.numClasses, source };
  if (csv.classNames) ds.classNames = csv.classNames;
  return ds;
}

/** Reads a CSV file (gzipped or not) as a classification data set. */
export async function loadCsvDataset(path: string, options: CsvOptions = {}): Promise<Dataset> {
  return csvToDataset(await readCsv(path, options), path);
}
