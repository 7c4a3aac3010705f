// A rank that throws outside fit (an uncaught exception after distributed.init()) while the others wait in a
// barrier: the exit handler of lib/distributed/group.ts aborts the job instead of leaving them waiting.
import { distributed } from '../../../dist/index.js';

const g = await distributed.init();
if (g.rank === Number(process.argv[2])) throw new Error(`planted uncaught failure on rank ${g.rank}`);
await g.barrier();
console.log(`rank ${g.rank} passed the barrier`);
