/**
 * What a user's script gets when it imports `k6` under the harness (src/load/user-script.ts points
 * the import here): k6 itself, with `check` also recording each condition in the compact record —
 * with the send time of the VU's last request, so a check is judged in the phase of the request it
 * checks — and `sleep` writing the VU's records before it waits.
 */
import * as k6 from 'k6';
import { check as k6check, sleep as k6sleep } from 'k6';
import exec from 'k6/execution';
import { config, ingressName, recorder, scriptTags } from './chaos-k6.ts';

export * from 'k6';

type Checkers<T> = Record<string, ((value: T) => unknown) | unknown>;

export function check<T>(value: T, sets: Checkers<T>, tags?: Record<string, string>): boolean {
  const results: Record<string, boolean> = {};
  for (const [name, condition] of Object.entries(sets))
    results[name] = Boolean(typeof condition === 'function' ? (condition as (v: T) => unknown)(value) : condition);
  const own = { ...scriptTags(), ...(tags ?? {}) };
  const log = recorder();
  const now = Date.now();
  for (const [name, passed] of Object.entries(results))
    log.check(
      { t: 'c', ingress: ingressName(), check: name, ...(Object.keys(own).length > 0 ? { tags: own } : {}) },
      passed,
      now,
    );
  // k6 counts its own `checks` from the same results (each condition ran once, here).
  const decided: Record<string, () => boolean> = {};
  for (const [name, passed] of Object.entries(results)) decided[name] = () => passed;
  // In k6's raw output (--raw-samples) the check's points say where the record placed them.
  const metadata = config.raw && log.lastSentMs !== undefined ? exec.vu.metrics.metadata : undefined;
  if (metadata) metadata.sent_ms = String(log.lastSentMs);
  try {
    return k6check(value, decided, tags);
  } finally {
    if (metadata) delete metadata.sent_ms;
  }
}

export function sleep(seconds: number): void {
  recorder().flushIfDue(true);
  k6sleep(seconds);
}

export default { ...k6, check, sleep };
