/**
 * The published .d.ts files compile in a user's project (issue 15): test/types/project (strict, skipLibCheck false)
 * (TypeScript's default lib for es2022, which includes the DOM's AbortSignal: FitArgs.signal's type)
 * is type-checked by the repository's TypeScript against dist/ laid out as an install would lay it out, in a
 * temporary directory outside this repository: node_modules/simdnet holds package.json and dist's .d.ts files,
 * and beside it only the packages simdnet declares as dependencies (no @types/node, no devDependencies). The
 * project's @ts-expect-error lines fail the check if a name type widens. Needs `npm run build:ts` first (npm test's
 * pretest does it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const project = fileURLToPath(new URL('./project', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };

const work = mkdtempSync(join(tmpdir(), 'simdnet-types-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function install(): void {
  cpSync(project, work, { recursive: true });
  const target = join(work, 'node_modules', 'simdnet');
  mkdirSync(target, { recursive: true });
  cpSync(join(root, 'package.json'), join(target, 'package.json'));
  cpSync(join(root, 'dist'), join(target, 'dist'), { recursive: true, filter: (src) => !/\.(js|map)$/.test(src) });
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const link = join(work, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), link, 'dir');
  }
}

function check(dir: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', cwd: dir }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('the published types in a strict user project', () => {
  it('dist/ is built', () => {
    expect(existsSync(join(root, 'dist', 'index.d.ts'))).toBe(true);
  });

  it('compile with strict, skipLibCheck false and no @types/node', () => {
    install();
    expect(existsSync(join(work, 'node_modules', '@types', 'node'))).toBe(false);
    const r = check(work);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  }, 60_000);

  it('report a typo in a loss name (the check can fail)', () => {
    const typo = join(work, 'typo');
    mkdirSync(typo);
    writeFileSync(join(typo, 'tsconfig.json'), readFileSync(join(work, 'tsconfig.json'), 'utf8'));
    writeFileSync(join(typo, 'main.ts'), [
      "import { Sequential, Dense } from 'simdnet';",
      'const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);',
      "m.compile({ optimizer: 'adam', loss: 'meanSquaredErorr' });",
    ].join('\n'));
    writeFileSync(join(typo, 'package.json'), '{ "type": "module" }');
    symlinkSync(join(work, 'node_modules'), join(typo, 'node_modules'), 'dir');
    const r = check(typo);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/main\.ts\(3,\d+\): error TS\d+: Type '"meanSquaredErorr"' is not assignable to type 'LossIdentifier'/);
  }, 60_000);
});
