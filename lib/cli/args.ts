/** Argument handling shared by the subcommands: node:util parseArgs plus typed value checks. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line: the caller prints the message and the usage text, and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a command writes; tests capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode, with its TypeErrors (unknown option, missing value...) turned into UsageErrors. */
export function parse<O extends Options>(
  argv: string[],
  options: O,
  allowPositionals = false,
): { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return r as unknown as { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function intOption(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!/^[+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(v) || v < min || v > max)
    throw new UsageError(`--${name} expects an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'inf' : max}], got '${value}'`);
  return v;
}

export function numberOption(value: string | undefined, name: string, lo: number, hi: number, loOpen = false): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi)
    throw new UsageError(`--${name} expects a number in ${loOpen ? '(' : '['}${lo}, ${hi}], got '${value}'`);
  return v;
}

export function choiceOption<T extends string>(value: string | undefined, name: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} expects one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}

/** "128,64" -> [128, 64]; "" or "none" -> [] (no hidden layer: a linear softmax classifier). */
export function layersOption(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '' || value === 'none') return [];
  return value.split(',').map((s) => {
    const t = s.trim();
    const v = Number(t);
    if (!/^\d+$/.test(t) || v < 1 || v > 1 << 20) throw new UsageError(`--layers expects comma-separated positive unit counts like 128,64, got '${value}'`);
    return v;
  });
}
