/**
 * The load process around a timeline: wait for its first sample (bounded), stop it (SIGINT, then
 * a kill after 15 s or on a second signal).
 */
import type { K6Run } from '../../load/k6-run.js';
import { sleep } from '../../system/sleep.js';
import { Stop } from './run-record.js';

/** A load runner: k6's interface, with its own patience for the first sample and for late samples. */
export type LoadRun = K6Run & { firstSampleTimeoutMs?: number; windowLagMs?: number };

export const pollMs = 100;
const firstSampleTimeoutMs = 30_000;

export async function stopK6(k6: K6Run, hurry: AbortSignal, how: 'stop' | 'kill'): Promise<void> {
  if (how === 'kill' || hurry.aborted) k6.kill();
  else k6.stop();
  const onHurry = () => k6.kill();
  hurry.addEventListener('abort', onHurry);
  // Bounded: a k6 that ignores SIGINT for 15 s is killed.
  const timer = setTimeout(() => k6.kill(), 15_000);
  await k6.ended;
  clearTimeout(timer);
  hurry.removeEventListener('abort', onHurry);
}

export async function waitForFirstSample(
  firstSampleAt: () => number | undefined,
  signal: AbortSignal,
  timeoutMs = firstSampleTimeoutMs,
): Promise<void> {
  for (let waited = 0; firstSampleAt() === undefined; waited += pollMs) {
    if (waited >= timeoutMs)
      throw new Stop({
        kind: 'error',
        reason: `no request completed within ${timeoutMs / 1000}s of starting k6: is every ingress answering?`,
      });
    await sleep(pollMs, signal);
  }
}
