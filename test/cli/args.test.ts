import { describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli/run.js';
import { parseTrainArgs } from '../../lib/cli/train.js';
import { layersOption } from '../../lib/cli/args.js';
import type { CliIo } from '../../lib/cli/args.js';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') };
  return io;
}

describe('simdnet command line', () => {
  it.each([
    [[], /Missing command/],
    [['frobnicate'], /Unknown command 'frobnicate'/],
    [['train', '--epochs', '0'], /--epochs expects an integer in \[1, 100000\], got '0'/],
    [['train', '--epochs', '2.5'], /--epochs expects an integer/],
    [['train', '--lr', 'fast'], /--lr expects a number in \(0, 10\], got 'fast'/],
    [['train', '--lr', '0'], /--lr expects a number/],
    [['train', '--layers', '128,x'], /--layers expects comma-separated positive unit counts/],
    [['train', '--layers', '0'], /--layers expects/],
    [['train', '--backend', 'gpu'], /--backend expects one of native, js, got 'gpu'/],
    [['train', '--optimizer', 'lbfgs'], /--optimizer expects one of adam/],
    [['train', '--activation', 'swish'], /--activation expects one of relu/],
    [['train', '--threads', '0'], /--threads expects an integer in \[1, 1024\]/],
    [['train', '--bogus'], /Unknown option '--bogus'/],
    [['train', '--epochs'], /--epochs/],
    [['train', 'extra'], /Unexpected argument 'extra'/],
    [['train', '--chart', 'out.png'], /--chart expects a file name ending in .svg/],
    [['train', '--validation-split', '1'], /--validation-split expects a number in \[0, 0.9\]/],
    [['info', '--verbose'], /Unknown option '--verbose'/],
  ])('%j is a usage error: exit 2 and the usage text', async (argv, message) => {
    const io = capture();
    expect(await runCli(argv as string[], io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr).toMatch(/Usage: simdnet/);
    expect(io.stdout).toBe('');
  });

  it('bench: bad arguments exit 2 with its usage, --help exits 0', async () => {
    let io = capture();
    expect(await runCli(['bench', '--bogus'], io)).toBe(2);
    expect(io.stderr).toMatch(/Unknown option '--bogus'/);
    expect(io.stderr).toMatch(/Usage: simdnet bench/);
    io = capture();
    expect(await runCli(['bench', '--only', 'gpu'], io)).toBe(2);
    expect(io.stderr).toMatch(/unknown gpu/);
    io = capture();
    expect(await runCli(['bench', '--contenders', 'numpy'], io)).toBe(2);
    io = capture();
    expect(await runCli(['bench', '--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/--quick/);
  });

  it('prints help and the version with exit 0', async () => {
    let io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/Commands:\n  train/);
    io = capture();
    expect(await runCli(['train', '--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/--batch-size <n>/);
    io = capture();
    expect(await runCli(['help', 'info'], io)).toBe(0);
    expect(io.stdout).toMatch(/simdnet info/);
    io = capture();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('info names the ISA, threads, version and the addon location (or why it is missing)', async () => {
    const io = capture();
    expect(await runCli(['info'], io)).toBe(0);
    expect(io.stdout).toMatch(/^simdnet \d+\.\d+\.\d+/);
    expect(io.stdout).toMatch(/ISA in use: +\S+/);
    expect(io.stdout).toMatch(/ISAs available: /);
    expect(io.stdout).toMatch(/threads: +\d+/);
    expect(io.stdout).toMatch(/addon: +(\/\S+\.node|not loaded: .+)/);
    const json = capture();
    expect(await runCli(['info', '--json'], json)).toBe(0);
    const info = JSON.parse(json.stdout);
    expect(info).toMatchObject({ version: expect.any(String), isa: expect.any(String), threads: expect.any(Number) });
  });

  it('data errors exit 1 with the coded message', async () => {
    let io = capture();
    expect(await runCli(['train', '--data', '/nonexistent/thing.csv', '--quiet'], io)).toBe(1);
    expect(io.stderr).toMatch(/Cannot read \/nonexistent\/thing.csv: no such file.*\[SIMDNET_IO\]/);
    io = capture();
    expect(await runCli(['train', '--data', '/tmp', '--quiet'], io)).toBe(1);
    expect(io.stderr).toMatch(/does not hold the four IDX files.*\[SIMDNET_IO\]/);
    io = capture();
    expect(await runCli(['train', '--data', 'package.json', '--quiet'], io)).toBe(1);
    expect(io.stderr).toMatch(/expected a .csv or .csv.gz file.*\[SIMDNET_UNSUPPORTED_FORMAT\]/);
  });

  it('parses a full train command line', () => {
    const o = parseTrainArgs(['--data', 'x.csv', '--layers', '32, 16', '--activation', 'tanh', '--optimizer', 'sgd', '--lr', '0.05', '--epochs', '3',
      '--batch-size', '16', '--seed', '9', '--backend', 'js', '--label-column', 'species', '--scale', 'minmax', '--save', 'm', '--chart', 'c.svg', '--quiet']);
    expect(o).toMatchObject({ data: 'x.csv', layers: [32, 16], activation: 'tanh', optimizer: 'sgd', lr: 0.05, epochs: 3, batchSize: 16, seed: 9,
      backend: 'js', labelColumn: 'species', scale: 'minmax', save: 'm', chart: 'c.svg', quiet: true });
    expect(parseTrainArgs(['--label-column=-1'])).toMatchObject({ labelColumn: -1, data: 'digits', seed: 1, validationSplit: 0, testFraction: 0.25 });
    expect(layersOption('none')).toEqual([]);
  });
});
