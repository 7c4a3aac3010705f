/**
 * Specs of tfjs-core's suite not run against 'simdnet': [substring of the spec name, why], one reason per entry.
 * Empty: every spec that runs on Node runs. The CPU backend's baseline excludes only 'computation in worker'
 * (tfjs-backend-cpu's run_tests), and no spec of that name is in tfjs-core 4.22's suite as bundled here. The 5 specs
 * the run reports as skipped are pending (xit) in tfjs-core itself. An entry here shows up in that skipped count
 * (checked: an entry 'matmul simdnet' takes 68 specs out of the run).
 */
export const IGNORED: ReadonlyArray<readonly [string, string]> = [];
