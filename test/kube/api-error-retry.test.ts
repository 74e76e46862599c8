/** ApiException → readable KubeApiError; bounded retries; conflicts re-read and re-decided. */
import { ApiException } from '@kubernetes/client-node';
import { expect } from 'chai';
import { isConflict, KubeApiError, toKubeApiError, type CallSite } from '../../src/kube/api-error.js';
import { retryOnConflict, withRetries, type RetryPolicy } from '../../src/kube/retry.js';

const site: CallSite = {
  cluster: 'central',
  context: 'gke-central',
  call: { verb: 'PATCH', resource: 'deployments.apps', namespace: 'bank', name: 'frontend', subresource: 'scale' },
};

function status(code: number, reason: string, message: string, details: object = {}): ApiException<string> {
  return new ApiException(
    code,
    `HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: …\nHeaders: …`,
    JSON.stringify({ kind: 'Status', status: 'Failure', message, reason, details, code }),
    {},
  );
}

function policy(sleeps: number[], attempts = 4): RetryPolicy {
  return {
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

describe('KubeApiError: what, where, and what the server said', () => {
  it("names the call, the cluster and context, the code and reason, and the Status message (not client-node's dump)", () => {
    const error = toKubeApiError(status(404, 'NotFound', 'deployments.apps "frontend" not found'), site);
    expect(error.message).to.equal(
      'PATCH deployments.apps bank/frontend (scale) in cluster central (context gke-central): 404 NotFound: deployments.apps "frontend" not found',
    );
    expect(error.hint).to.match(/does not exist/);
    expect([error.status, error.reason, error.retryable]).to.deep.equal([404, 'NotFound', false]);
  });

  it('marks 429 and 5xx retryable and keeps Retry-After', () => {
    const tooMany = toKubeApiError(status(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 2 }), site);
    expect([tooMany.retryable, tooMany.retryAfterMs]).to.deep.equal([true, 2000]);
    expect(toKubeApiError(status(503, 'ServiceUnavailable', 'x'), site).retryable).to.equal(true);
    expect(toKubeApiError(status(422, 'Invalid', 'bad'), site).retryable).to.equal(false);
  });

  it('reads a failed JSON patch test (422) as a conflict only when the patch carried a test', () => {
    expect(
      isConflict(toKubeApiError(status(422, 'Invalid', 'the server rejected our request'), site, { sentTest: true })),
    ).to.equal(true);
    expect(isConflict(toKubeApiError(status(422, 'Invalid', 'the server rejected our request'), site))).to.equal(false);
    expect(isConflict(toKubeApiError(status(409, 'Conflict', 'the object has been modified'), site))).to.equal(true);
  });

  it('turns no answer at all into a retryable error with a hint about reaching the server', () => {
    const timeout = toKubeApiError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), site);
    expect([timeout.status, timeout.retryable]).to.deep.equal([undefined, true]);
    expect(timeout.message).to.match(/no answer in time$/);
    expect(timeout.hint).to.match(/did not answer/);
  });
});

describe('retries', () => {
  it('retries transient failures with growing pauses, bounded by the policy', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const error = await withRetries(async () => {
      calls += 1;
      throw toKubeApiError(status(500, 'InternalError', 'boom'), site);
    }, policy(sleeps)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(calls).to.equal(4);
    expect(sleeps).to.have.length(3);
    expect(sleeps[2]).to.be.greaterThan(sleeps[0]!);
    expect((error as KubeApiError).attempts).to.equal(4);
  });

  it('honours Retry-After as the least pause', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await withRetries(async () => {
      calls += 1;
      if (calls === 1) throw toKubeApiError(status(429, 'TooManyRequests', 'x', { retryAfterSeconds: 1 }), site);
      return 'ok';
    }, policy(sleeps));
    expect(sleeps[0]).to.be.at.least(1000);
  });

  it('does not retry a 429 when the caller handles it (eviction and its PodDisruptionBudget), nor a 4xx', async () => {
    for (const [error, retry429] of [
      [status(429, 'TooManyRequests', 'pdb'), false],
      [status(403, 'Forbidden', 'no'), true],
    ] as const) {
      let calls = 0;
      await withRetries(
        async () => {
          calls += 1;
          throw toKubeApiError(error, site);
        },
        policy([]),
        retry429,
      ).catch(() => undefined);
      expect(calls).to.equal(1);
    }
  });

  it('re-reads and re-decides on a conflict, and does not multiply the bounds of an already retried call', async () => {
    const decisions: number[] = [];
    const result = await retryOnConflict(async (attempt) => {
      decisions.push(attempt);
      if (attempt < 2) throw toKubeApiError(status(409, 'Conflict', 'modified'), site);
      return 'written';
    }, policy([]));
    expect([result, decisions]).to.deep.equal(['written', [0, 1, 2]]);

    let calls = 0;
    await retryOnConflict(async () => {
      calls += 1;
      const exhausted = toKubeApiError(status(500, 'InternalError', 'boom'), site);
      exhausted.attempts = 4;
      throw exhausted;
    }, policy([])).catch(() => undefined);
    expect(calls).to.equal(1);
  });
});
