/**
 * examples/service (issue 12): a node:http server that trains in the background and serves /predict from the live
 * model. Started on 127.0.0.1 as a child process; 2,000 /predict requests at batch 1 and 1,000 /health requests,
 * four at a time, while it trains: no error, every /predict answered with 10 probabilities, the step it answers
 * from moving forward; p50/p99/max printed for both endpoints. The server stops by itself after the last request
 * (--max-requests), saving an atomic checkpoint, and a second run resumes from exactly that step.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './backends.js';

const server = new URL('../../examples/service/server.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'simdnet-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(args: string[]) {
  const child = spawn(process.execPath, [server, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const lines: Record<string, any>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l));
    waiters.splice(0).forEach((w) => w());
  });
  const line = async (key: string) => {
    for (;;) {
      const found = lines.find((l) => key in l);
      if (found) return found;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, line, exited };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function request(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, timeout: 10_000, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

describe.skipIf(!BACKENDS.includes('native'))('examples/service', () => {
  it('serves 3,000 requests while training, 0 errors, stops by itself and resumes from its checkpoint', async () => {
    const PREDICT = 2000;
    const HEALTH = 1000;
    const ck = join(dir, 'model');
    const s = start(['--checkpoint', ck, '--max-requests', String(PREDICT + HEALTH), '--checkpoint-every-ms', '500']);
    const { port, resumedFromStep } = await s.line('port');
    expect(resumedFromStep).toBe(0);
    const x = JSON.stringify({ x: [Array.from({ length: 784 }, (_, i) => (i % 17) / 17)] });
    const jobs: (() => Promise<void>)[] = [];
    const lat = { predict: [] as number[], health: [] as number[] };
    const steps: number[] = [];
    let errors = 0;
    for (let i = 0; i < PREDICT + HEALTH; i++)
      jobs.push(async () => {
        const isPredict = i % 3 !== 2;
        const r = await request(port, isPredict ? 'POST' : 'GET', isPredict ? '/predict' : '/health', isPredict ? x : undefined).catch(() => null);
        if (!r || r.status !== 200) return void errors++;
        const body = JSON.parse(r.body);
        if (isPredict) {
          lat.predict.push(r.ms);
          steps.push(body.step);
          if (body.y.length !== 1 || body.y[0].length !== 10 || Math.abs(body.y[0].reduce((a: number, b: number) => a + b, 0) - 1) > 1e-4) errors++;
        } else lat.health.push(r.ms);
      });
    // Four requests in flight at a time.
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }));
    const { finalStep, predictHandlerMs: h, eventLoopDelayMs: d } = await s.line('finalStep');
    expect(await s.exited).toBe(0);
    for (const k of ['predict', 'health'] as const)
      console.log(`/${k}: ${lat[k].length} requests, p50 ${pct(lat[k], 0.5).toFixed(2)} ms, p99 ${pct(lat[k], 0.99).toFixed(2)} ms, max ${Math.max(...lat[k]).toFixed(2)} ms`);
    console.log(`server side: /predict handler p50 ${h.p50.toFixed(2)} ms, p99 ${h.p99.toFixed(2)} ms, max ${h.max.toFixed(2)} ms; ` +
      `event-loop delay p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(2)} ms; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
    console.log(`answers from training steps ${steps[0]} .. ${steps[steps.length - 1]}; final step ${finalStep}`);
    expect(errors).toBe(0);
    expect(lat.predict.length).toBe(PREDICT);
    expect(lat.health.length).toBe(HEALTH);
    expect(steps[steps.length - 1]).toBeGreaterThan(steps[0]); // it trained while serving
    // Restart: resumes from the checkpoint written at exit.
    const again = start(['--checkpoint', ck, '--max-requests', '1']);
    const second = await again.line('port');
    expect(second.resumedFromStep).toBe(finalStep);
    expect((await request(second.port, 'GET', '/health')).status).toBe(200);
    expect(await again.exited).toBe(0);
    agent.destroy();
  }, 180_000);
});
