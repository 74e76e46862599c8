/**
 * Judged by 1: each fault applies, verifies, reverts and verifies reverted, and the objects it
 * touched afterwards equal what they were before (apart from server-managed fields).
 */
import { expect } from 'chai';
import { annotation } from '../../../src/faults/annotations.js';
import type { Fault } from '../../../src/scenario/types.js';
import { apiOf, type FaultTestServer } from '../support/servers.js';
import { openTestSession, phaseOf, userView, waitSettled } from '../support/session.js';

const central = { kind: 'named' as const, names: ['central'] };

export function lifecycleCases(server: () => FaultTestServer): void {
  it('scale: frontend to 0 in central takes effect (no ready endpoints), reverts to the same Deployment, journal first', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await waitSettled(api, ns);
    const before = userView(await api.readWorkload('Deployment', ns, 'frontend'));
    const t = await openTestSession(server());
    const phase = phaseOf(server(), t.runId, [
      {
        id: 'zero',
        type: 'scale',
        clusters: central,
        kind: 'Deployment',
        name: 'frontend',
        replicas: 0,
        allowDataLoss: false,
      },
    ]);
    const [applied] = await t.session.apply(phase);
    expect(applied).to.include({ faultId: 'zero', cluster: 'central' });
    expect(applied!.effectiveAtMs).to.be.at.least(applied!.appliedAtMs);
    const during = await api.readWorkload('Deployment', ns, 'frontend');
    expect(during.metadata?.annotations).to.include({
      [annotation.run]: t.runId,
      [annotation.originalReplicas]: '2',
      [annotation.replicas]: '0',
    });
    expect(during.status?.readyReplicas ?? 0).to.equal(0);
    const [reverted] = await t.session.revert(phase);
    expect(reverted!.outcomes.map((o) => o.status)).to.deep.equal(['reverted']);
    expect(reverted!.verifiedAtMs).to.be.a('number');
    expect(userView(await api.readWorkload('Deployment', ns, 'frontend'))).to.deep.equal(before);
    const types = (await t.entries()).map((entry) => entry.type);
    expect(types.indexOf('mutation-intended')).to.be.lessThan(types.indexOf('mutation-done'));
    expect(types).to.include.members(['fault-applied', 'mutation-reverted', 'fault-reverted', 'fault-revert-verified']);
    await t.close();
  });

  it('scale: a StatefulSet to 0 and back (ledger-db in west)', async () => {
    const api = apiOf(server(), 'west');
    const ns = server().namespace;
    await waitSettled(api, ns);
    const before = userView(await api.readWorkload('StatefulSet', ns, 'ledger-db'));
    const t = await openTestSession(server());
    const phase = phaseOf(server(), t.runId, [
      {
        id: 'db',
        type: 'scale',
        clusters: { kind: 'named', names: ['west'] },
        kind: 'StatefulSet',
        name: 'ledger-db',
        replicas: 0,
        allowDataLoss: false,
      },
    ]);
    await t.session.apply(phase);
    await t.session.revert(phase);
    expect(userView(await api.readWorkload('StatefulSet', ns, 'ledger-db'))).to.deep.equal(before);
    await t.close();
  });

  it('istio-abort via ingress: our route heads the gateway VirtualService in central only, and leaves it byte-identical', async () => {
    const { namespace, name } = server().ingressVirtualService;
    const api = apiOf(server(), 'central');
    const west = apiOf(server(), 'west');
    const before = await api.readVirtualService(namespace, name);
    const westBefore = await west.readVirtualService(namespace, name);
    const t = await openTestSession(server());
    const fault: Fault = {
      id: 'abort',
      type: 'istio-abort',
      clusters: central,
      host: 'frontend',
      via: 'ingress',
      percentage: 10,
      status: 503,
    };
    const phase = phaseOf(server(), t.runId, [fault]);
    await t.session.apply(phase);
    const during = await api.readVirtualService(namespace, name);
    expect(during.spec.http?.[0]?.name).to.equal(`chaos-${t.runId}-abort`);
    expect(during.spec.http?.[0]?.fault).to.deep.equal({ abort: { httpStatus: 503, percentage: { value: 10 } } });
    expect(during.spec.http?.slice(1)).to.deep.equal(before.spec.http);
    expect(JSON.stringify((await west.readVirtualService(namespace, name)).spec)).to.equal(
      JSON.stringify(westBefore.spec),
    );
    await t.session.revert(phase);
    const after = await api.readVirtualService(namespace, name);
    expect(JSON.stringify(after.spec)).to.equal(JSON.stringify(before.spec));
    expect(after.metadata.annotations).to.deep.equal(before.metadata.annotations);
    await t.close();
  });

  it('istio: two faults of one run on the same VirtualService both take effect and both go', async () => {
    const { namespace, name } = server().ingressVirtualService;
    const api = apiOf(server(), 'central');
    const before = await api.readVirtualService(namespace, name);
    const t = await openTestSession(server());
    const phase = phaseOf(server(), t.runId, [
      {
        id: 'slow',
        type: 'istio-delay',
        clusters: central,
        host: 'frontend',
        via: 'ingress',
        percentage: 50,
        delayMs: 20,
      },
      {
        id: 'fail',
        type: 'istio-abort',
        clusters: central,
        host: 'frontend',
        via: 'ingress',
        percentage: 5,
        status: 500,
      },
    ]);
    await t.session.apply(phase);
    const during = await api.readVirtualService(namespace, name);
    // The second copies the first's route too: the request it matches first carries both faults.
    expect(during.spec.http?.slice(0, 3).map((route) => route.name)).to.deep.equal([
      `chaos-${t.runId}-fail`,
      `chaos-${t.runId}-fail-2`,
      `chaos-${t.runId}-slow`,
    ]);
    expect(during.spec.http?.[0]?.fault).to.deep.equal({
      delay: { fixedDelay: '20ms', percentage: { value: 50 } },
      abort: { httpStatus: 500, percentage: { value: 5 } },
    });
    await t.session.revert(phase);
    const after = await api.readVirtualService(namespace, name);
    expect(JSON.stringify(after.spec)).to.equal(JSON.stringify(before.spec));
    expect(after.metadata.annotations).to.deep.equal(before.metadata.annotations);
    await t.close();
  });

  it('istio-delay via mesh in every cluster: creates a VirtualService where none routes the host, deletes it on revert', async () => {
    const ns = server().namespace;
    const t = await openTestSession(server());
    const phase = phaseOf(server(), t.runId, [
      {
        id: 'slow',
        type: 'istio-delay',
        clusters: { kind: 'all' },
        host: 'balancereader',
        via: 'mesh',
        percentage: 100,
        delayMs: 100,
      },
    ]);
    const applied = await t.session.apply(phase);
    expect(applied.map((a) => a.cluster).sort()).to.deep.equal(['central', 'west']);
    for (const cluster of ['central', 'west']) {
      const vs = await apiOf(server(), cluster).readVirtualService(ns, `chaos-${t.runId}-slow`);
      expect(vs.spec.hosts).to.deep.equal(['balancereader']);
      expect(vs.spec.http?.[0]?.fault).to.deep.equal({ delay: { fixedDelay: '100ms', percentage: { value: 100 } } });
    }
    await t.session.revert(phase);
    for (const cluster of ['central', 'west']) {
      const names = (await apiOf(server(), cluster).listVirtualServices(ns)).map((vs) => vs.metadata.name);
      expect(names).to.not.include(`chaos-${t.runId}-slow`);
    }
    await t.close();
  });

  for (const [type, deployment, cluster] of [
    ['control-plane', 'istiod', 'central'],
    ['east-west-gateway', 'istio-eastwestgateway', 'west'],
  ] as const) {
    it(`${type}: ${deployment} in ${cluster} goes to 0 (no ready endpoint left), comes back byte-identical, recorded as a scale`, async () => {
      const api = apiOf(server(), cluster);
      await waitSettled(api, 'istio-system');
      const before = userView(await api.readWorkload('Deployment', 'istio-system', deployment));
      const t = await openTestSession(server());
      const phase = phaseOf(server(), t.runId, [
        {
          id: 'down',
          type,
          clusters: { kind: 'named', names: [cluster] },
          istioNamespace: 'istio-system',
          deployment,
        },
      ]);
      const [applied] = await t.session.apply(phase);
      expect(applied!.mutations.map((m) => m.kind)).to.deep.equal(['scale']);
      const during = await api.readWorkload('Deployment', 'istio-system', deployment);
      expect(during.spec?.replicas).to.equal(0);
      expect(during.metadata?.annotations).to.include({
        [annotation.run]: t.runId,
        [annotation.originalReplicas]: '1',
      });
      const slices = await api.listEndpointSlices('istio-system', deployment);
      expect(
        slices.flatMap((slice) => slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false),
      ).to.have.length(0);
      const [reverted] = await t.session.revert(phase);
      expect(reverted!.outcomes.map((o) => o.status)).to.deep.equal(['reverted']);
      expect(reverted!.verifiedAtMs).to.be.a('number');
      expect(userView(await api.readWorkload('Deployment', 'istio-system', deployment))).to.deep.equal(before);
      await t.close();
    });
  }

  it('drain: cordons every Node, evicts the app Pods, then uncordons exactly those Nodes and waits for the workloads', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await waitSettled(api, ns);
    const nodesBefore = (await api.listNodes()).map(userView);
    const t = await openTestSession(server());
    const phase = phaseOf(server(), t.runId, [
      { id: 'drain', type: 'drain', clusters: central, force: false, deleteEmptyDirData: false, allowDataLoss: false },
    ]);
    await t.session.apply(phase);
    expect((await api.listNodes()).every((node) => node.spec?.unschedulable === true)).to.equal(true);
    const [reverted] = await t.session.revert(phase);
    expect(reverted!.verifiedAtMs).to.be.a('number');
    expect((await api.listNodes()).map(userView)).to.deep.equal(nodesBefore);
    await t.close();
  });

  it('drain: a Node that was already unschedulable stays cordoned after the revert', async () => {
    const api = apiOf(server(), 'west');
    const ns = server().namespace;
    await waitSettled(api, ns);
    const [first] = (await api.listNodes()).map((node) => node.metadata!.name!).sort();
    await api.mergePatchNode(first!, { spec: { unschedulable: true } });
    try {
      const t = await openTestSession(server());
      const phase = phaseOf(server(), t.runId, [
        {
          id: 'drain',
          type: 'drain',
          clusters: { kind: 'named', names: ['west'] },
          force: false,
          deleteEmptyDirData: false,
          allowDataLoss: false,
        },
      ]);
      const [applied] = await t.session.apply(phase);
      expect(
        applied!.mutations.filter((m) => m.kind === 'cordon').map((m) => (m.kind === 'cordon' ? m.node : '')),
      ).to.not.include(first);
      await t.session.revert(phase);
      const nodes = await api.listNodes();
      expect(nodes.find((node) => node.metadata?.name === first)?.spec?.unschedulable).to.equal(true);
      expect(nodes.filter((node) => node.metadata?.name !== first).every((node) => !node.spec?.unschedulable)).to.equal(
        true,
      );
      await t.close();
    } finally {
      await api.mergePatchNode(first!, { spec: { unschedulable: null } });
      await waitSettled(api, ns);
    }
  });

  it('pod-kill: deletes one frontend Pod, then waits until as many are ready as before', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await waitSettled(api, ns);
    // Ready, read from the Pods themselves (their Ready condition), not from what the fault says.
    const readyPods = async () =>
      (await api.listPods(ns, { labelSelector: 'app=frontend' }))
        .filter(
          (pod) =>
            pod.metadata?.deletionTimestamp === undefined &&
            (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        )
        .map((pod) => pod.metadata?.name ?? '');
    const before = await readyPods();
    expect(before.length, 'frontend has ready Pods before the kill').to.be.greaterThan(0);
    const t = await openTestSession(server());
    const phase = phaseOf(server(), t.runId, [
      {
        id: 'kill',
        type: 'pod-kill',
        clusters: central,
        selector: { app: 'frontend' },
        amount: { kind: 'count', count: 1 },
      },
    ]);
    const [applied] = await t.session.apply(phase);
    const mutation = applied!.mutations[0];
    expect(mutation?.kind).to.equal('pod-delete');
    const killed = mutation?.kind === 'pod-delete' ? mutation.pods[0] : undefined;
    expect(before).to.include(killed);
    const [reverted] = await t.session.revert(phase);
    expect(reverted!.verifiedAtMs).to.be.a('number');
    // The moment revert returns, as many are ready as before, and the killed one is not among them.
    const after = await readyPods();
    expect(after, 'ready frontend Pods when the revert returned').to.have.length(before.length);
    expect(after).to.not.include(killed);
    await t.close();
  });

  it('pod-kill at an interval keeps killing during the phase, and stops when reverted', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await waitSettled(api, ns);
    const t = await openTestSession(server());
    const phase = phaseOf(
      server(),
      t.runId,
      [
        {
          id: 'kills',
          type: 'pod-kill',
          clusters: central,
          selector: { app: 'frontend' },
          amount: { kind: 'percentage', percentage: 50 },
          intervalMs: 300,
        },
      ],
      'fault',
      20_000,
    );
    await t.session.apply(phase);
    const rounds = async (): Promise<number> =>
      (await t.entries()).filter((e) => e.type === 'mutation-intended').length;
    for (let i = 0; i < 100 && (await rounds()) < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await rounds()).to.be.at.least(3);
    await t.session.revert(phase);
    const afterRevert = await rounds();
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await rounds()).to.equal(afterRevert);
    await t.close();
  });
}
