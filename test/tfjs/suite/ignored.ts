/**
 * Specs of tfjs-core's suite not run against 'simdnet': [substring of the spec name, why]. Start of the list is the
 * CPU backend's own baseline (tfjs-backend-cpu's run_tests excludes the same).
 */
export const IGNORED: ReadonlyArray<readonly [string, string]> = [
  ['computation in worker', 'needs a browser Worker with a script URL; tfjs-backend-cpu excludes it too'],
];
