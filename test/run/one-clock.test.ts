/**
 * One clock judges (issue 27 item 4): a run's expiry is a duration (`chaos.dev/expires-in`) the
 * guard times from when it first saw it, by its own clock, so the harness's wall clock never
 * meets the guard's. A harness an hour behind keeps its live run (before: the guard saw
 * `chaos.dev/expires` an hour past and reverted a run holding a renewed lock); a hung harness an
 * hour ahead is still reverted by expiry (before: an hour late). Against the lab and a real
 * kube-apiserver.
 */
import { expect } from 'chai';
import { annotation } from '../../src/faults/annotations.js';
import { startClusterGuard, type ClusterGuard } from '../../src/guard/cluster-guard.js';
import { GuardMetrics } from '../../src/guard/guard-metrics.js';
import { acquireLock, type EnvironmentLock } from '../../src/run/session/lock.js';
import type { Fault } from '../../src/scenario/types.js';
import { bankNamespace } from '../fixtures/real-api/bank-of-anthos.js';
import { apiOf, describeForEachServer, type FaultTestServer } from '../faults/support/servers.js';
import { openTestSession, phaseOf, testTiming } from '../faults/support/session.js';
import { waitFor } from '../support/wait.js';

const hourMs = 3_600_000;
const scale: Fault = {
  id: 'zero',
  type: 'scale',
  clusters: { kind: 'named', names: ['central'] },
  kind: 'Deployment',
  name: 'frontend',
  replicas: 0,
  allowDataLoss: false,
};

/** A run holding central's lock (renewed in the background) whose harness clock is `skewMs` off. */
async function skewedRun(s: FaultTestServer, skewMs: number, phaseMs: number, marginMs: number) {
  const central = apiOf(s, 'central');
  const apis = new Map([['central', central]]);
  const test = await openTestSession(s, { apis, now: () => Date.now() + skewMs, expiryMarginMs: marginMs });
  const lock: EnvironmentLock = await acquireLock(apis, {
    runId: test.runId,
    leaseSeconds: 3,
    now: () => Date.now() + skewMs,
  });
  await test.session.apply(phaseOf(s, test.runId, [scale], 'fault', phaseMs));
  return { central, test, lock };
}

function guardOf(s: FaultTestServer, lines: string[]) {
  const metrics = new GuardMetrics();
  const counters = metrics.of('central');
  const guard: ClusterGuard = startClusterGuard({
    api: apiOf(s, 'central'),
    identity: 'clock-test-guard',
    graceMs: 1_000,
    resyncMs: 500,
    leaseSeconds: 5,
    timing: testTiming,
    counters,
    isLeader: () => true,
    log: (line) => lines.push(line),
  });
  return { guard, counters };
}

async function restore(s: FaultTestServer): Promise<void> {
  const central = apiOf(s, 'central');
  const current = await central.readWorkload('Deployment', bankNamespace, 'frontend');
  const cleaned = Object.fromEntries(
    Object.keys(current.metadata?.annotations ?? {})
      .filter((key) => key.startsWith('chaos.dev/'))
      .map((key) => [key, null]),
  );
  await central.mergePatchWorkload('Deployment', bankNamespace, 'frontend', {
    spec: { replicas: 2 },
    metadata: { annotations: cleaned },
  });
}

describeForEachServer(
  (label) => `one clock judges an expiry, against ${label}`,
  (live) => {
    it('a harness clock an hour behind: its live run is not reverted (expires-in, timed by the guard)', async () => {
      const s = live();
      const lines: string[] = [];
      const run = await skewedRun(s, -hourMs, 60_000, 300_000);
      let guard: ClusterGuard | undefined;
      try {
        const started = guardOf(s, lines);
        guard = started.guard;
        // Several whole passes, each having seen the run's mutation (resync every 0.5 s).
        await waitFor(async () => started.counters.reconciles >= 4 && started.counters.lastPassAtMs !== undefined, {
          timeoutMs: 30_000,
          what: 'four guard passes',
        });
        await guard.stop();
        guard = undefined;
        const deployment = await run.central.readWorkload('Deployment', bankNamespace, 'frontend');
        expect(deployment.spec?.replicas, lines.join('\n')).to.equal(0);
        expect(started.counters.runsReverted, lines.join('\n')).to.equal(0);
        expect(run.lock.lost()).to.equal(undefined);
        // What the harness wrote: an absolute expiry an hour in our past, and the duration it meant.
        const annotations = deployment.metadata?.annotations;
        expect(Date.parse(annotations?.[annotation.expires] ?? '')).to.be.below(Date.now() - hourMs + 361_000);
        expect(Number(annotations?.[annotation.expiresIn])).to.be.within(359, 361);
      } finally {
        await guard?.stop();
        await run.test.session.revertAll('test end', { verify: false });
        await run.lock.release();
        await run.test.close();
        await restore(s);
      }
    });

    it('a hung harness with its clock an hour ahead is reverted by expiry on time, its lock still renewed', async () => {
      const s = live();
      const lines: string[] = [];
      // Phase 1 s + margin 2 s: expires-in 3 s; the written expiry is an hour in our future.
      const run = await skewedRun(s, hourMs, 1_000, 2_000);
      let guard: ClusterGuard | undefined;
      try {
        const started = guardOf(s, lines);
        guard = started.guard;
        // Hung: the harness never reverts, but its lock keeps being renewed.
        await waitFor(async () => started.counters.runsReverted >= 1, {
          timeoutMs: 60_000,
          what: `the guard reverting by expiry\n${lines.join('\n')}`,
        });
        expect(lines.join('\n')).to.match(/expires-in 3s has passed since this guard first saw it/);
        await waitFor(
          async () => (await run.central.readWorkload('Deployment', bankNamespace, 'frontend')).spec?.replicas === 2,
          { timeoutMs: 30_000, what: 'frontend back at 2 replicas' },
        );
      } finally {
        await guard?.stop();
        await run.test.session.revertAll('test end', { verify: false });
        await run.lock.release();
        await run.test.close();
        await restore(s);
      }
    });
  },
);
