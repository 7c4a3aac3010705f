/** `simdnet bench` is offered only where the suite is (a source checkout), not in an npm install (issue 15). */
import { describe, expect, it } from 'vitest';
import { benchShipped } from '../../lib/cli/bench.js';
import { mainUsage, mainUsageFor } from '../../lib/cli/run.js';

describe('the bench command in the usage', () => {
  it('is listed only when bench/suite.mjs is present', () => {
    expect(mainUsageFor(true)).toMatch(/^ {2}bench {3}run the end-to-end benchmark suite/m);
    expect(mainUsageFor(false)).not.toMatch(/bench/);
    expect(mainUsageFor(false)).toMatch(/^ {2}train .*\n {2}info /m);
    expect(benchShipped()).toBe(true); // this checkout has bench/
    expect(mainUsage).toBe(mainUsageFor(true));
  });
});
