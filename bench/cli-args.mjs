// The command line of the stand-alone benches (kernels.mjs, train.mjs, kernels/*.mjs): --quick and --help only;
// anything else is refused with the usage instead of being ignored (a typo must not start a full run).
import { parseArgs } from 'node:util';

/** Returns { quick } or exits: 0 after --help, 2 on an unknown option. `usage` is the bench's one-line usage. */
export function benchArgs(usage, argv = process.argv.slice(2)) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    console.error(`${e.message}\n\nusage: ${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(`usage: ${usage}\n  --quick  tiny sizes and short budgets (a smoke run; figures are not comparable)\n  --help   this text`);
    process.exit(0);
  }
  return { quick: values.quick === true };
}
