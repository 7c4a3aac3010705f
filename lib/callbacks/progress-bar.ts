/**
 * progressBar: the default display when fit's verbose is 1. On a TTY, a live cli-progress bar per epoch with the
 * running loss/metrics and ETA (updated through onProgress, a few engine calls per second, no per-batch cost);
 * elsewhere (pipes, CI logs) or with verbose 2, one line per epoch: `Epoch 3/10 - 1.2s - loss: 0.4321 - val_loss: ...`.
 */
import cliProgress from 'cli-progress';
import type { Logs } from '../engine/engine.js';
import { BaseCallback } from './callback.js';

export interface ProgressBarArgs {
  /** Where to write (default process.stdout). */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
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
    if (this.live) this.onProgress = (done, _total, logs) => this.bar?.update(done, { metrics: formatLogs(logs) });
  }

  private get epochs(): number {
    return this.params?.epochs ?? 0;
  }

  onEpochBegin(epoch: number): void {
    this.epochStart = Date.now();
    if (!this.live) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `Epoch ${epoch + 1}/${this.epochs} {bar} {value}/{total} | ETA {eta_formatted} | {metrics}`,
        stream: this.stream as NodeJS.WriteStream,
        hideCursor: false,
        clearOnComplete: false,
        stopOnComplete: false,
        etaBuffer: 20,
        noTTYOutput: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.params?.steps ?? 0, 0, { metrics: '' });
  }

  onProgress?: (done: number, total: number, logs: Logs) => void;

  onEpochEnd(epoch: number, logs: Logs): void {
    const secs = ((Date.now() - this.epochStart) / 1000).toFixed(1);
    if (this.bar) {
      this.bar.update(this.params?.steps ?? 0, { metrics: `${secs}s - ${formatLogs(logs)}` });
      this.bar.stop();
      this.bar = null;
      return;
    }
    this.stream.write(`Epoch ${epoch + 1}/${this.epochs} - ${secs}s - ${formatLogs(logs)}\n`);
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export const progressBar = (args?: ProgressBarArgs) => new ProgressBar(args);
