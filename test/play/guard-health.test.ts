/** A guard's /healthz: unhealthy only when a cluster it leads has had no finished pass for too long. */
import { expect } from 'chai';
import { guardHealth } from '../../src/guard/start-guard.js';
import { GuardMetrics } from '../../src/guard/guard-metrics.js';

describe('guard health', () => {
  const staleMs = 60_000;
  const at = 1_000_000;

  it('healthy while every led cluster had a pass within the stale time, and as a follower', () => {
    const metrics = new GuardMetrics();
    Object.assign(metrics.of('central'), { leader: true, lastPassAtMs: at - staleMs });
    Object.assign(metrics.of('west'), { leader: false, lastPassAtMs: at - 10 * staleMs });
    const health = guardHealth(metrics, 'g1', staleMs, at);
    expect(health).to.deep.equal({ ok: true, text: 'ok: g1; leading central' });
  });

  it('503 naming the cluster when the pass loop of a led cluster has stalled', () => {
    const metrics = new GuardMetrics();
    Object.assign(metrics.of('central'), { leader: true, lastPassAtMs: at - staleMs - 1 });
    Object.assign(metrics.of('west'), { leader: true, lastPassAtMs: at });
    expect(guardHealth(metrics, 'g1', staleMs, at)).to.deep.equal({
      ok: false,
      text: 'stuck: g1; no pass over central (last pass 60s ago)',
    });
  });

  it('healthy while a long pass keeps finishing objects (N reverts verified one by one), 503 once it stops', () => {
    const metrics = new GuardMetrics();
    Object.assign(metrics.of('central'), {
      leader: true,
      lastPassAtMs: at - 5 * staleMs,
      lastProgressAtMs: at - staleMs,
    });
    expect(guardHealth(metrics, 'g1', staleMs, at).ok).to.equal(true);
    metrics.of('central').lastProgressAtMs = at - staleMs - 1;
    expect(guardHealth(metrics, 'g1', staleMs, at)).to.deep.equal({
      ok: false,
      text: 'stuck: g1; no pass over central (last pass 300s ago)',
    });
  });

  it('metrics count what the last pass could not scan', () => {
    const metrics = new GuardMetrics();
    metrics.of('central').scanProblems = 2;
    expect(metrics.render()).to.include('chaos_guard_scan_problems{cluster="central"} 2');
  });
});
