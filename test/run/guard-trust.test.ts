/**
 * The guard trusts only what a run wrote (issue 27 item 6). A tenant who can annotate objects
 * writes our marks on their own VirtualService — `chaos.dev/run` of some run, an expiry long past,
 * `chaos.dev/created`, a `chaos.dev/routes` list naming their route — and names a route in another
 * VirtualService like ours (`chaos-<run>-…`). The guard deletes nothing of theirs and removes no
 * route: a VirtualService counts as created by a run only when named after that run and fault,
 * a route only when named after the run, and a route without annotations only for the run the
 * lock names; the rest is reported. Against the lab and a real kube-apiserver.
 */
import { expect } from 'chai';
import { annotation } from '../../src/faults/annotations.js';
import { startClusterGuard } from '../../src/guard/cluster-guard.js';
import { GuardMetrics } from '../../src/guard/guard-metrics.js';
import type { VirtualService } from '../../src/kube/types.js';
import { bankNamespace } from '../fixtures/real-api/bank-of-anthos.js';
import { apiOf, describeForEachServer } from '../faults/support/servers.js';
import { newRunId, testTiming } from '../faults/support/session.js';
import { waitFor } from '../support/wait.js';

const vs = (name: string, route: string, annotations?: Record<string, string>): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: bankNamespace, ...(annotations ? { annotations } : {}) },
  spec: { hosts: [`${name}.example`], http: [{ name: route, route: [{ destination: { host: `${name}.example` } }] }] },
});

describeForEachServer(
  (label) => `the guard trusts only what a run wrote, against ${label}`,
  (live) => {
    it("forged marks on a tenant's objects: nothing of theirs is deleted or removed, the look-alike route is reported", async () => {
      const s = live();
      const central = apiOf(s, 'central');
      const runId = newRunId();
      const forged = vs('tenant-forged', 'tenant-route', {
        [annotation.run]: runId,
        [annotation.fault]: 'f',
        [annotation.expires]: '2000-01-01T00:00:00Z',
        [annotation.created]: 'true',
        [annotation.routes]: JSON.stringify(['tenant-route']),
      });
      const lookalike = vs('tenant-lookalike', `chaos-${runId}-f`);
      await central.createVirtualService(bankNamespace, forged);
      await central.createVirtualService(bankNamespace, lookalike);
      const lines: string[] = [];
      const counters = new GuardMetrics().of('central');
      const guard = startClusterGuard({
        api: central,
        identity: 'trust-test-guard',
        graceMs: 0,
        resyncMs: 300,
        leaseSeconds: 5,
        timing: testTiming,
        counters,
        isLeader: () => true,
        log: (line) => lines.push(line),
      });
      try {
        // The forged run is dead to the guard (past expiry, no lock): it acts on what it trusts, in passes.
        await waitFor(() => counters.runsReverted >= 1 && counters.reconciles >= 3, {
          timeoutMs: 60_000,
          what: `the guard's passes\n${lines.join('\n')}`,
        });
        await guard.stop();
        const tenant = await central.readVirtualService(bankNamespace, 'tenant-forged');
        expect(
          tenant.spec.http?.map((route) => route.name),
          'their route stays',
        ).to.deep.equal(['tenant-route']);
        const other = await central.readVirtualService(bankNamespace, 'tenant-lookalike');
        expect(
          other.spec.http?.map((route) => route.name),
          'the look-alike route stays',
        ).to.deep.equal([`chaos-${runId}-f`]);
        expect(lines.join('\n')).to.include(
          `VirtualService ${bankNamespace}/tenant-lookalike: route(s) chaos-${runId}-f named like run ${runId}'s carry no annotation: not touched`,
        );
      } finally {
        await guard.stop();
        for (const name of ['tenant-forged', 'tenant-lookalike'])
          await central.deleteVirtualService(bankNamespace, name).catch(() => undefined);
      }
    });
  },
);
