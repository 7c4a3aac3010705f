// The peak RSS of this process, for bench/load-memory.mjs and test/io/load-memory-child.mjs (the asserted bound).
import { readFileSync } from 'node:fs';

/** The peak RSS of this process's address space: Linux's VmHWM, which starts afresh at exec (resourceUsage's
 *  maxRSS does not: it carries the spawning parent's RSS over, e.g. a vitest worker's hundreds of MB under ASan). */
export function peakRss() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS * 1024;
}
