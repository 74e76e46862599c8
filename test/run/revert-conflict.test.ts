/**
 * A revert conflict ends, loudly, once (issue 27 item 2): a scale fault whose Deployment an on-call
 * engineer scaled meanwhile is left as they made it; the guard says so in one Event, marks the
 * object `chaos.dev/conflict` (naming what differed) with our other annotations removed, and does
 * not try again — no loop of passes; a later scan finds no leftover (runs are not refused for it)
 * and lists the conflict with the kubectl command to decide. Against the lab and a real
 * kube-apiserver.
 */
import { expect } from 'chai';
import { setTimeout as pause } from 'node:timers/promises';
import { conflictAnnotation, readConflictMark } from '../../src/faults/conflict-mark.js';
import { startClusterGuard, type ClusterGuard } from '../../src/guard/cluster-guard.js';
import { GuardMetrics } from '../../src/guard/guard-metrics.js';
import { revertFailedReason, revertingReason } from '../../src/guard/revert-events.js';
import { findLeftovers } from '../../src/run/recover/recover.js';
import { scanCluster } from '../../src/run/recover/recover-scan.js';
import type { Fault } from '../../src/scenario/types.js';
import { bankNamespace } from '../fixtures/real-api/bank-of-anthos.js';
import { apiOf, describeForEachServer } from '../faults/support/servers.js';
import { openTestSession, phaseOf, testTiming } from '../faults/support/session.js';
import { waitFor } from '../support/wait.js';

describeForEachServer(
  (label) => `a revert conflict ends once, against ${label}`,
  (live) => {
    it('on-call scaled the Deployment during the fault: one Event, a chaos.dev/conflict mark, no retry loop, listed, no run refused', async () => {
      const s = live();
      const central = apiOf(s, 'central');
      const test = await openTestSession(s, { apis: new Map([['central', central]]) });
      const scale: Fault = {
        id: 'zero',
        type: 'scale',
        clusters: { kind: 'named', names: ['central'] },
        kind: 'Deployment',
        name: 'frontend',
        replicas: 0,
        allowDataLoss: false,
      };
      let guard: ClusterGuard | undefined;
      const metrics = new GuardMetrics();
      try {
        await test.session.apply(phaseOf(s, test.runId, [scale], 'fault', 60_000));
        // The on-call engineer: `kubectl scale deployment/frontend --replicas=3`.
        await central.mergePatchWorkload('Deployment', bankNamespace, 'frontend', { spec: { replicas: 3 } });
        // The run is dead to the guard (it holds no lock): it reverts, meets the conflict.
        const counters = metrics.of('central');
        const lines: string[] = [];
        guard = startClusterGuard({
          api: central,
          identity: 'test-guard',
          graceMs: 0,
          resyncMs: 60_000,
          leaseSeconds: 5,
          timing: testTiming,
          counters,
          isLeader: () => true,
          log: (line) => lines.push(line),
        });
        const ours = async (reason: string) =>
          (await central.listEvents(bankNamespace)).filter(
            (event) =>
              event.reason === reason &&
              event.involvedObject.name === 'frontend' &&
              event.message?.includes(`of run ${test.runId} `),
          );
        await waitFor(async () => (await ours(revertFailedReason)).length > 0, {
          timeoutMs: 60_000,
          what: `the guard's conflict Event\n${lines.join('\n')}`,
        });
        const deployment = await central.readWorkload('Deployment', bankNamespace, 'frontend');
        expect(deployment.spec?.replicas, "the engineer's 3 replicas stay").to.equal(3);
        const annotations = deployment.metadata?.annotations ?? {};
        expect(Object.keys(annotations).filter((key) => key.startsWith('chaos.dev/'))).to.deep.equal([
          conflictAnnotation,
        ]);
        const mark = readConflictMark(annotations);
        expect(mark).to.include({ run: test.runId, fault: 'zero' });
        expect(mark?.detail).to.match(/3 replicas \(we set 0, it was 2\)/);
        expect(mark?.manual).to.match(/scale deployment\/frontend --replicas=2/);
        // No loop: once it has said so, nothing changes and the guard has nothing to do.
        // (Passes still happen — the Deployment's own status changes wake the guard — but none reverts.)
        await pause(3_000);
        expect(counters.runsReverted, lines.join('\n')).to.equal(1);
        expect(await ours(revertFailedReason)).to.have.length(1);
        expect(await ours(revertingReason)).to.have.length(1);
        expect(counters.revertFailures).to.equal(1);
        // Nothing is a leftover any more (no run is refused); the conflict is listed with the command to decide.
        const scan = await scanCluster(central);
        expect(scan.mutations.filter((m) => m.runId === test.runId)).to.deep.equal([]);
        const findings = await findLeftovers({ environment: s.environment, apis: new Map([['central', central]]) });
        expect(findings.leftovers.filter((l) => l.mutation.runId === test.runId)).to.deep.equal([]);
        const listed = findings.conflicts.filter((line) => line.includes(`run ${test.runId}`));
        expect(listed).to.have.length(1);
        expect(listed[0]).to.match(
          /Deployment bank-of-anthos\/frontend in central: .*annotate deployment\/frontend chaos\.dev\/conflict-/,
        );
      } finally {
        await guard?.stop();
        await test.session.revertAll('test end', { verify: false });
        await test.close();
        // Leave the cluster as the next test expects it.
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
    });
  },
);
