/**
 * Bounded retries. Transient answers (429, 5xx, no answer) are retried with exponential
 * backoff and jitter, honouring Retry-After. A conflict (409, or a failed JSON patch `test`)
 * is never retried blindly: the caller passes a function that re-reads the object and
 * decides again, because the right change may no longer be the same change.
 */
import { isConflict, KubeApiError } from './api-error.js';
import { sleep } from '../system/sleep.js';

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
  /** Stop retrying (not the call in flight) once this is aborted. */
  signal?: AbortSignal;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 3_000,
  sleep: (ms) => sleep(ms),
};

function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  // Full jitter spreads the retries of many clients; Retry-After is a floor the server asked for.
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return Math.min(policy.maxDelayMs * 4, Math.max(jittered, retryAfterMs ?? 0));
}

/** Retries `call` while it fails with a transient error, up to the policy's bound. */
export async function withRetries<T>(call: () => Promise<T>, policy: RetryPolicy, retry429 = true): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const transient = error instanceof KubeApiError && error.retryable && (retry429 || error.status !== 429);
      if (!transient || attempt + 1 >= policy.attempts || policy.signal?.aborted) {
        if (error instanceof KubeApiError) error.attempts = attempt + 1;
        throw error;
      }
      await policy.sleep(backoffMs(policy, attempt, error.retryAfterMs));
    }
  }
}

/**
 * Optimistic concurrency: `decideAndWrite` reads the object, decides what to change and
 * writes it with a precondition (resourceVersion). On a conflict, or a transient failure
 * (after which the write may or may not have landed), it runs again from the read — so
 * `decideAndWrite` must be idempotent: "make sure our route is there", not "add a route".
 */
export async function retryOnConflict<T>(
  decideAndWrite: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await decideAndWrite(attempt);
    } catch (error) {
      const conflict = isConflict(error);
      // A transient error that already went through its call's own retries is final: bounds must not multiply.
      const transient = error instanceof KubeApiError && error.retryable && error.attempts <= 1;
      if ((!conflict && !transient) || attempt + 1 >= policy.attempts || policy.signal?.aborted) throw error;
      const retryAfterMs = error instanceof KubeApiError ? error.retryAfterMs : undefined;
      await policy.sleep(
        conflict
          ? backoffMs({ ...policy, baseDelayMs: Math.min(policy.baseDelayMs, 50) }, attempt)
          : backoffMs(policy, attempt, retryAfterMs),
      );
    }
  }
}
