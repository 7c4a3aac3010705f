/**
 * esbuild entry for tfjs-core's own op suite (the *_test.js files @tensorflow/tfjs-core ships in dist/) run against
 * the 'simdnet' backend. Bundled and run by tools/tfjs-suite.sh; see /work/shared/TFJS-SUITE.md for why it must be
 * bundled (extension-less ESM imports in a package without "type": "module").
 * The harness (jasmine_util.describeWithFlags) sets IS_TEST before every suite, so the engine's leak check
 * ("internal memory leak" when a kernel leaves an intermediate behind) is on for every spec.
 */
import '../../../lib/tfjs/index.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { IGNORED } from './ignored.js';

// The harness, by require: esbuild bundles it like an import, and no module resolution question arises for a deep,
// extension-less path into a package without "exports".
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setTestEnvs, setupTestFilters } = require('@tensorflow/tfjs-core/dist/jasmine_util');

setTestEnvs([{ name: 'simdnet', backendName: 'simdnet', isDataSync: true }]);
// Spec names are '<describe> <env> {flags} <it>'; an entry of IGNORED excludes every spec whose name contains it.
setupTestFilters([], (name: string) => !IGNORED.some(([substring]) => name.includes(substring)));

// A literal path: esbuild only follows literal requires. require, not import, so it runs after the calls above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@tensorflow/tfjs-core/dist/tests');
