import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { runtimeInfo, setThreads } from '../../lib/backend.js';

describe.runIf(native)('native runtime', () => {
  it('reports the ISA in use and the available ones', () => {
    const info = runtimeInfo();
    expect(info.availableIsas).toContain('scalar');
    expect(info.availableIsas).toContain(info.isa);
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it('rejects unknown and unsupported ISAs with a code', () => {
    expect(() => native!.setIsa('sse9')).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    const missing = ['scalar', 'avx2', 'neon'].find((i) => !native!.availableIsas().includes(i));
    if (missing) expect(() => native!.setIsa(missing)).toThrow(expect.objectContaining({ code: 'SIMDNET_ISA_UNSUPPORTED' }));
  });

  it('sets the thread count and validates it', () => {
    const t = native!.getThreads();
    setThreads(1);
    expect(native!.getThreads()).toBe(1);
    setThreads(t);
    expect(() => native!.setThreads(-1)).toThrow(RangeError);
    expect(() => native!.setThreads(1.5)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => native!.setThreads('2' as unknown as number)).toThrow(TypeError);
  });
});
