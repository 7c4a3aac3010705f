/**
 * progressBar: the default display when fit's verbose is 1. On a TTY, a live cli-progress bar per epoch with the
 * running loss/metrics and ETA (updated through onProgress, a few engine calls per second, no per-batch cost);
 * elsewhere (pipes, CI logs) or with verbose 2, one line per epoch: `Epoch 3/10 - 1.2s - loss: 0.4321 - val_loss: ...`.
 */
import cliProgress from 'cli-progress';
import type { Logs } from '../engine/engine.js';
import { BaseCallback } from './callback.js';

/**
 * What the bar writes to: process.stdout or any object with write(). Structural, so that the published .d.ts
 * needs no @types/node (issue 15; test/types). A live bar on a TTY also uses a tty.WriteStream's cursor methods.
 */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface ProgressBarArgs {
  /** Where to write (default process.stdout). */
  stream?: ProgressStream;
  /** Force the live bar (true) or the per-epoch lines (false); default: live bar when the stream is a TTY. */
  live?: boolean;
}

export function formatLogs(logs: Logs | undefined): string {
  if (!logs) return '';
  return Object.entries(logs)
    .filter(([k]) => !k.includes('/'))
    .map(([k, v]) => `${k}: ${formatNumber(v)}`)
    .join(' - ');
}

/** Durations as Keras's progbar prints them: 850us, 12ms, 3.4s, 2m 05s (never '0.0s' for a fast epoch). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1) return `${Math.round(ms * 1000)}us`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** The time left after `done` of `total` steps in `elapsedMs`; '-' before the first step (no rate to go by). */
export function formatEta(elapsedMs: number, done: number, total: number): string {
  if (done <= 0) return '-';
  return formatDuration((elapsedMs / done) * Math.max(0, total - done));
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

export class ProgressBar extends BaseCallback {
  private readonly stream: NonNullable<ProgressBarArgs['stream']>;
  private readonly live: boolean;
  private bar: cliProgress.SingleBar | null = null;
  private epochStart = 0;

  constructor(args: ProgressBarArgs = {}) {
    super();
    this.stream = args.stream ?? process.stdout;
    this.live = args.live ?? Boolean((this.stream as { isTTY?: boolean }).isTTY);
    // Only a live bar asks fit for progress calls (fit splits epochs into a few engine calls when someone listens).
    // ETA is ours, not cli-progress's eta_formatted, which reads "0s" at 0/N before any rate is known.
    if (this.live)
      this.onProgress = (done, total, logs) =>
        this.bar?.update(done, { etaText: formatEta(performance.now() - this.epochStart, done, total), metrics: formatLogs(logs) });
  }

  private get epochs(): number {
    return this.params?.epochs ?? 0;
  }

  onEpochBegin(epoch: number): void {
    this.epochStart = performance.now();
    if (!this.live) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `Epoch ${epoch + 1}/${this.epochs} {bar} {value}/{total} | ETA {etaText} | {metrics}`,
        stream: this.stream as NodeJS.WriteStream,
        hideCursor: false,
        clearOnComplete: false,
        stopOnComplete: false,
        etaBuffer: 20,
        noTTYOutput: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.params?.steps ?? 0, 0, { etaText: '-', metrics: '' });
  }

  onProgress?: (done: number, total: number, logs: Logs) => void;

  onEpochEnd(epoch: number, logs: Logs): void {
    const secs = formatDuration(performance.now() - this.epochStart);
    if (this.bar) {
      this.bar.update(this.params?.steps ?? 0, { etaText: '0s', metrics: `${secs} - ${formatLogs(logs)}` });
      this.bar.stop();
      this.bar = null;
      return;
    }
    this.stream.write(`Epoch ${epoch + 1}/${this.epochs} - ${secs} - ${formatLogs(logs)}\n`);
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export const progressBar = (args?: ProgressBarArgs) => new ProgressBar(args);
