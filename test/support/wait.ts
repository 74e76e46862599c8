/**
 * Condition waits for tests: poll until a check holds, with a generous bound that only ends a
 * test that would otherwise hang. Never an assertion about how long something took.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Upper bound before giving up; generous, because the machine may be loaded. */
  timeoutMs: number;
  /** What is awaited, for the error. */
  what: string;
  intervalMs?: number;
}

/** Resolves with the first truthy value `check` returns; a throwing check ends the wait. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${options.timeoutMs} ms for ${options.what}`);
    await sleep(options.intervalMs ?? 100);
  }
}
