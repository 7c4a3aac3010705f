// The longest gap between two turns of a setImmediate chain that runs beside `call` until it settles: how long the
// event loop was held at once (the call's own synchronous slices, a GC pause, or the OS preempting the process).
// Shared by bench/turns.mjs and the lag test (test/models/event-loop.test.ts), so both measure the same thing.
export async function longestTurn(call) {
  let last = performance.now();
  let gap = 0;
  let on = true;
  const spin = () => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    if (on) setImmediate(spin);
  };
  setImmediate(spin);
  last = performance.now();
  await call();
  on = false;
  await new Promise((r) => setImmediate(r));
  return gap;
}
