/**
 * Judged by 7: an API server that answers 500 or 429 to some calls during apply and revert.
 * Central's API is reached through a fault-injecting proxy (test/support/flaky-proxy.ts). With
 * intermittent failures the run still ends with everything reverted; with a failure that does
 * not go away, revertAll names exactly what it could not revert and the command to do it by
 * hand — and a later revertAll, once the server behaves, finishes the job.
 */
import { expect } from 'chai';
import { createClusterApi, type ClusterApi } from '../../src/kube/cluster-api.js';
import type { Fault } from '../../src/scenario/types.js';
import { startFlakyProxy, type FlakyProxy } from '../support/flaky-proxy.js';
import { apiOf, endpointOf, serverFactories, type FaultTestServer } from './support/servers.js';
import { openTestSession, phaseOf, userView, waitSettled } from './support/session.js';

const central = { kind: 'named' as const, names: ['central'] };
const faults: Fault[] = [
  {
    id: 'zero',
    type: 'scale',
    clusters: central,
    kind: 'Deployment',
    name: 'frontend',
    replicas: 0,
    allowDataLoss: false,
  },
  {
    id: 'abort',
    type: 'istio-abort',
    clusters: central,
    host: 'frontend',
    via: 'ingress',
    percentage: 50,
    status: 503,
  },
];

async function snapshot(api: ClusterApi, server: FaultTestServer): Promise<unknown> {
  const { namespace, name } = server.ingressVirtualService;
  return {
    frontend: userView(await api.readWorkload('Deployment', server.namespace, 'frontend')),
    ingress: userView(await api.readVirtualService(namespace, name)),
  };
}

for (const factory of serverFactories) {
  describe(`faults through a flaky API (500/429) against ${factory.label}`, function () {
    this.timeout(180_000);
    let server: FaultTestServer | undefined;
    let proxy: FlakyProxy | undefined;
    let flaky: ClusterApi | undefined;
    const live = (): { server: FaultTestServer; proxy: FlakyProxy; flaky: ClusterApi } => {
      if (!server || !proxy || !flaky) throw new Error(`${factory.label} did not start`);
      return { server, proxy, flaky };
    };

    before(async function () {
      this.timeout(600_000);
      server = await factory.start();
      const endpoint = endpointOf(server, 'central');
      proxy = await startFlakyProxy(endpoint);
      flaky = createClusterApi(
        {
          cluster: 'central',
          context: 'flaky-central',
          source: { kind: 'yaml', yaml: proxy.kubeconfigYaml('flaky-central', endpoint.token) },
        },
        { requestTimeoutMs: 10_000, retry: { baseDelayMs: 50, maxDelayMs: 400 } },
      );
    });
    after(async function () {
      this.timeout(60_000);
      await proxy?.close();
      await server?.stop();
    });

    it('intermittent 500s and 429s during apply and revert: everything applied, then everything reverted', async () => {
      const { server: s, proxy: p, flaky: api } = live();
      await waitSettled(apiOf(s, 'central'), s.namespace);
      const before = await snapshot(apiOf(s, 'central'), s);
      const t = await openTestSession(s, { apis: new Map([...s.apis, ['central', api]]) });
      const phase = phaseOf(s, t.runId, faults);
      p.setRules([
        { status: 500, every: 3 },
        { method: 'PATCH', status: 429, every: 2 },
      ]);
      await t.session.apply(phase);
      const duringApply = p.injected().length;
      expect(duringApply).to.be.greaterThan(0);
      p.setRules([
        { method: 'PATCH', status: 500, every: 2 },
        { method: 'GET', status: 429, every: 3 },
      ]);
      const reverted = await t.session.revert(phase);
      expect(p.injected().length).to.be.greaterThan(duringApply);
      // A write retried after a failure is journaled again; the attempts that never landed revert as `absent`.
      for (const fault of reverted) {
        expect(
          fault.outcomes.every((o) => o.status === 'reverted' || o.status === 'absent'),
          JSON.stringify(fault),
        ).to.equal(true);
        expect(fault.outcomes.filter((o) => o.status === 'reverted')).to.have.length(1);
      }
      p.setRules([]);
      expect(await snapshot(apiOf(s, 'central'), s)).to.deep.equal(before);
      await t.close();
    });

    it('a revert call that keeps failing is named exactly, with the kubectl command; the rest is reverted, and a later revertAll finishes', async () => {
      const { server: s, proxy: p, flaky: api } = live();
      await waitSettled(apiOf(s, 'central'), s.namespace);
      const before = await snapshot(apiOf(s, 'central'), s);
      const t = await openTestSession(s, { apis: new Map([...s.apis, ['central', api]]) });
      const phase = phaseOf(s, t.runId, faults);
      p.setRules([]);
      await t.session.apply(phase);
      p.setRules([{ method: 'PATCH', path: '/deployments/frontend', status: 500, every: 1 }]);
      const report = await t.session.revertAll('abort limit breached', { verify: false });
      expect(report.failures).to.have.length(1);
      const [failure] = report.failures;
      expect(failure).to.include({ faultId: 'zero', cluster: 'central' });
      expect(failure!.message).to.match(
        /PATCH deployments\.apps bank-of-anthos\/frontend in cluster central .*: 500 InternalError/,
      );
      expect(failure!.manual).to.include(
        'kubectl --context flaky-central -n bank-of-anthos scale deployment/frontend --replicas=2',
      );
      expect(report.reverted.map((r) => r.faultId)).to.deep.equal(['abort']);
      const { namespace, name } = s.ingressVirtualService;
      expect((await apiOf(s, 'central').readVirtualService(namespace, name)).spec.http?.[0]?.name).to.not.match(
        /^chaos-/,
      );

      p.setRules([]);
      const retry = await t.session.revertAll('retry');
      expect(retry.failures).to.deep.equal([]);
      expect(await snapshot(apiOf(s, 'central'), s)).to.deep.equal(before);
      await t.close();
    });
  });
}
