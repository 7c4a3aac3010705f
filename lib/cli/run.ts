/**
 * The `simdnet` command line, callable in-process (tests) as runCli(argv, io) -> exit code:
 * 0 success, 1 failure (a SimdnetError: missing file, bad data...), 2 bad command line (usage printed).
 */
import { SimdnetError } from '../errors.js';
import { type CliIo, UsageError, processIo } from './args.js';
import { infoCommand, infoUsage, version } from './info.js';
import { trainCommand, trainUsage } from './train.js';
import { benchCommand, benchShipped } from './bench.js';

/**
 * The command list. `bench` runs bench/suite.mjs, which ships with the source repository but not in the npm
 * package: an installed simdnet does not offer it (issue 15), and `simdnet bench` there says where to run it.
 */
export function mainUsageFor(withBench: boolean): string {
  return `Usage: simdnet <command> [options]

Commands:
  train   train a multilayer perceptron on digits, fashion-mnist, a directory of IDX files or a CSV file
${withBench ? '  bench   run the end-to-end benchmark suite (simdnet vs tfjs vs PyTorch)\n' : ''}\
  info    show the version, the instruction set in use and where the native addon was loaded from

Run \`simdnet <command> --help\` for the options of a command. \`simdnet --version\` prints the version.`;
}

export const mainUsage = mainUsageFor(benchShipped());

const usages: Record<string, string> = { train: trainUsage, info: infoUsage };

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await trainCommand(rest, io);
      case 'bench':
        return await benchCommand(rest, io);
      case 'info':
        return infoCommand(rest, io);
      case '--version':
      case '-v':
        io.out(version());
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.out(rest[0] && usages[rest[0]] ? usages[rest[0]] : mainUsage);
        return 0;
      case undefined:
        throw new UsageError('Missing command');
      default:
        throw new UsageError(`Unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`simdnet: ${err.message}\n\n${(command && usages[command]) || mainUsage}`);
      return 2;
    }
    if (err instanceof SimdnetError || (err as { code?: string }).code?.startsWith?.('SIMDNET_')) {
      io.err(`simdnet: ${(err as Error).message} [${(err as { code: string }).code}]`);
      return 1;
    }
    throw err;
  }
}
