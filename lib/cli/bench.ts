/** `simdnet bench`: runs the end-to-end benchmark suite (bench/suite.mjs, shipped with the source repository). */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SimdnetError } from '../errors.js';
import type { CliIo } from './args.js';

/** The suite sits beside dist/: this module is dist/cli/bench.js, two levels below the package root. */
export const suitePath = fileURLToPath(new URL('../../bench/suite.mjs', import.meta.url));

/** Whether the suite is here (a source checkout) rather than absent (an npm install: bench/ is not in "files"). */
export function benchShipped(): boolean {
  return existsSync(suitePath);
}

export async function benchCommand(argv: string[], io: CliIo): Promise<number> {
  if (!existsSync(suitePath))
    throw new SimdnetError('SIMDNET_IO',
      `The benchmark suite is not part of the npm package (${suitePath} is missing): clone the simdnet repository and run \`npm run bench\` there`);
  const suite = (await import(pathToFileURL(suitePath).href)) as { runSuite(argv: string[], io: CliIo): Promise<number> };
  return suite.runSuite(argv, io);
}
