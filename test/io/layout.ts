/**
 * Test helpers for the on-disk layout (lib/io/format.ts): a save lives in the version directory CURRENT names, so
 * tests that edit a saved file reach it through filesOf(path). makeLegacy turns a save into the layout written
 * before CURRENT existed (files at the top of the directory), which must still load.
 */
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The directory holding the live model.json, weights.bin and optimizer.bin of the save at `path`. */
export async function filesOf(path: string): Promise<string> {
  const names = await readdir(path);
  if (!names.includes('CURRENT')) return path;
  return join(path, (await readFile(join(path, 'CURRENT'), 'utf8')).trim());
}

/** Rewrites the save at `path` into the pre-CURRENT layout: its files at the top, no CURRENT, no version dirs. */
export async function makeLegacy(path: string): Promise<void> {
  const from = await filesOf(path);
  if (from === path) return;
  for (const f of await readdir(from)) await rename(join(from, f), join(path, f));
  for (const f of await readdir(path)) if (f === 'CURRENT' || f.startsWith('v-') || f.startsWith('CURRENT.')) await rm(join(path, f), { recursive: true, force: true });
}
