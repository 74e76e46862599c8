/**
 * The one abortable sleep (Node's timers/promises underneath). `sleep` rejects with the signal's
 * reason when aborted, for loops that must stop; `pause` resolves early instead, for waits whose
 * caller decides what an abort means. `ref: false` lets the process exit while it waits. No wait
 * at all for `ms <= 0` (the lab's hot paths sleep 0 ms inside a cluster).
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface SleepOptions {
  /** Keep the process alive while waiting (default true). */
  ref?: boolean;
}

export async function sleep(ms: number, signal?: AbortSignal, options: SleepOptions = {}): Promise<void> {
  if (signal?.aborted) throw signal.reason;
  if (ms <= 0) return;
  try {
    await delay(Math.max(0, ms), undefined, { signal, ref: options.ref ?? true });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

export async function pause(ms: number, signal?: AbortSignal, options: SleepOptions = {}): Promise<void> {
  if (signal?.aborted || ms <= 0) return;
  await delay(Math.max(0, ms), undefined, { signal, ref: options.ref ?? true }).catch(() => undefined);
}
