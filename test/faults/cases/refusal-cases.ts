/**
 * Issue 15, judged by 1, 2, 3 (two VirtualServices), 4, 6: faults do exactly what they say.
 * Drain refuses what kubectl drain refuses and never touches the control plane, the gateways or
 * our own Pods; someone else's cordon survives the revert; a second VirtualService for a host is
 * refused naming both; an Istio fault goes to the declared config cluster; a StatefulSet whose
 * scale-down deletes volumes and an HPA pinned by another run are refused; a scale is one patch.
 * Every refusal is also what `checkPlan` (plan, validate --env, the run's preflight) reports.
 */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { annotation } from '../../../src/faults/annotations.js';
import type { Fault } from '../../../src/scenario/types.js';
import type { ClusterApi } from '../../../src/kube/cluster-api.js';
import type { JsonPatchOp, VirtualService } from '../../../src/kube/types.js';
import { checkPlan, describeChecks } from '../../../src/run/plan/check-plan.js';
import { FaultApplyError } from '../../../src/run/session/fault-session.js';
import type { RunPlan } from '../../../src/run/plan/build-plan.js';
import { projectRoot, runChaosAsync } from '../../support/cli.js';
import { installCrds } from '../../support/real-crds.js';
import { useFrontendHpa } from '../support/frontend-hpa.js';
import { apiOf, endpointOf, type FaultTestServer } from '../support/servers.js';
import { openTestSession, phaseOf, waitFor, waitSettled } from '../support/session.js';

const central = { kind: 'named' as const, names: ['central'] };
const west = { kind: 'named' as const, names: ['west'] };
const drainDefaults = { force: false, deleteEmptyDirData: false, allowDataLoss: false };

function clientFor<T>(server: FaultTestServer, cluster: string, api: new (...args: never[]) => T): T {
  const entry = server.environment.clusters.find((c) => c.name === cluster)!;
  const config = new KubeConfig();
  config.loadFromString(readFileSync(entry.kubeconfig!, 'utf8'));
  config.setCurrentContext(entry.context);
  return config.makeApiClient(api as never) as T;
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function barePod(
  name: string,
  namespace: string,
  options: { labels?: Record<string, string>; emptyDir?: boolean },
): V1Pod {
  return {
    metadata: { name, namespace, labels: { team: 'test', ...options.labels } },
    spec: {
      // Schedulable on the real tier's kwok nodes as on the lab's.
      nodeSelector: { type: 'kwok' },
      tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Equal', value: 'fake', effect: 'NoSchedule' }],
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'registry.invalid/app:1', ports: [{ containerPort: 8080 }] }],
      ...(options.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    },
  };
}

async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

async function podLeft(core: CoreV1Api, namespace: string, name: string): Promise<boolean> {
  try {
    const pod = await core.readNamespacedPod({ namespace, name });
    return pod.metadata?.deletionTimestamp === undefined;
  } catch {
    return false;
  }
}

async function deletePods(core: CoreV1Api, pods: Array<[string, string]>): Promise<void> {
  for (const [namespace, name] of pods)
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }).catch(() => undefined);
  for (const [namespace, name] of pods)
    await waitFor(`Pod ${namespace}/${name} gone`, async () =>
      (await podLeft(core, namespace, name)) ? undefined : true,
    );
}

async function scheduled(core: CoreV1Api, namespace: string, name: string): Promise<void> {
  await waitFor(`Pod ${namespace}/${name} scheduled`, async () => {
    const pod = await core.readNamespacedPod({ namespace, name });
    return pod.spec?.nodeName ? true : undefined;
  });
}

function planOf(server: FaultTestServer, runId: string, faults: Fault[]): RunPlan {
  return {
    runId,
    environment: server.environment,
    phases: [phaseOf(server, runId, faults)],
    load: [],
    totalMs: 60_000,
  } as unknown as RunPlan;
}

async function refusedMessage(server: FaultTestServer, faults: Fault[]): Promise<string> {
  const t = await openTestSession(server);
  const error = await t.session.apply(phaseOf(server, t.runId, faults)).then(
    () => undefined,
    (e: unknown) => e,
  );
  const report = await t.session.revertAll('test end');
  await t.close();
  expect(report.failures).to.deep.equal([]);
  expect(error, 'the fault should have been refused').to.be.instanceOf(FaultApplyError);
  // Refused before any change: not one mutation journaled.
  expect((await t.entries()).filter((entry) => entry.type === 'mutation-intended')).to.deep.equal([]);
  return (error as Error).message;
}

function mutatingCalls(api: ClusterApi, calls: string[]): ClusterApi {
  const wrap =
    <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      calls.push(`${name} ${JSON.stringify(args.slice(2))}`);
      return call(...args);
    };
  return {
    ...api,
    jsonPatchWorkload: wrap('jsonPatchWorkload', api.jsonPatchWorkload),
    mergePatchWorkload: wrap('mergePatchWorkload', api.mergePatchWorkload),
    patchScale: wrap('patchScale', api.patchScale),
  };
}

/** `installsCrds`: the server takes a CustomResourceDefinition (the real tier; the lab serves a fixed set of kinds). */
export function refusalCases(server: () => FaultTestServer, options: { hpa: boolean; installsCrds: boolean }): void {
  it('drain refuses, naming both, a Pod no controller manages and a Pod with emptyDir; with force and deleteEmptyDirData it drains and reverts', async () => {
    const api = apiOf(server(), 'central');
    const core = clientFor(server(), 'central', CoreV1Api);
    const ns = server().namespace;
    await waitSettled(api, ns);
    await core.createNamespacedPod({ namespace: ns, body: barePod('loner', ns, {}) });
    await core.createNamespacedPod({ namespace: ns, body: barePod('scratchpad', ns, { emptyDir: true }) });
    try {
      await scheduled(core, ns, 'loner');
      await scheduled(core, ns, 'scratchpad');
      const drain = (overrides: Partial<typeof drainDefaults>): Fault => ({
        id: 'drain',
        type: 'drain',
        clusters: central,
        namespaces: [ns],
        ...drainDefaults,
        ...overrides,
      });
      const message = await refusedMessage(server(), [drain({})]);
      expect(message)
        .to.include(`Pod ${ns}/loner in central: no controller manages it`)
        .and.include(`(override: force: true)`)
        .and.include(`Pod ${ns}/scratchpad in central: it has emptyDir volume(s)`)
        .and.include('(override: deleteEmptyDirData: true)');
      // The same refusal is what plan and validate --env report.
      const lines = describeChecks(await checkPlan(planOf(server(), 'plancheck', [drain({})]), server().apis));
      expect(lines.some((line) => line.includes(`Pod ${ns}/loner`) && line.includes('force: true'))).to.equal(true);
      expect(
        lines.some((line) => line.includes(`Pod ${ns}/scratchpad`) && line.includes('deleteEmptyDirData')),
      ).to.equal(true);
      // One override is not both.
      const half = await refusedMessage(server(), [drain({ force: true })]);
      expect(half).to.include(`Pod ${ns}/scratchpad`).and.not.include(`Pod ${ns}/loner`);
      const nodesBefore = (await api.listNodes()).map((node) => [
        node.metadata?.name,
        node.spec?.unschedulable ?? false,
      ]);
      const t = await openTestSession(server());
      const phase = phaseOf(server(), t.runId, [drain({ force: true, deleteEmptyDirData: true })]);
      const [applied] = await t.session.apply(phase);
      // A namespace drain cordons nothing: other teams keep scheduling.
      expect(applied!.mutations.some((m) => m.kind === 'cordon')).to.equal(false);
      expect(
        (await api.listNodes()).map((node) => [node.metadata?.name, node.spec?.unschedulable ?? false]),
      ).to.deep.equal(nodesBefore);
      expect(await podLeft(core, ns, 'loner')).to.equal(false);
      expect(await podLeft(core, ns, 'scratchpad')).to.equal(false);
      expect((await api.readWorkload('Deployment', ns, 'frontend')).spec?.replicas).to.equal(0);
      await t.session.revert(phase);
      expect((await api.readWorkload('Deployment', ns, 'frontend')).spec?.replicas).to.equal(2);
      expect((await api.readWorkload('Deployment', ns, 'frontend')).metadata?.annotations?.[annotation.run]).to.equal(
        undefined,
      );
      await t.close();
    } finally {
      await deletePods(core, [
        [ns, 'loner'],
        [ns, 'scratchpad'],
      ]);
      await waitSettled(api, ns);
    }
  });

  it('chaos plan and chaos validate --env refuse it too: the object, the reason, the override, at the fault in the file', async () => {
    const api = apiOf(server(), 'central');
    const core = clientFor(server(), 'central', CoreV1Api);
    const ns = server().namespace;
    await waitSettled(api, ns);
    await core.createNamespacedPod({ namespace: ns, body: barePod('stray', ns, {}) });
    const scenario = path.join(server().dir, 'drain-refused.yaml');
    writeFileSync(
      scenario,
      [
        'version: 1',
        'name: drain-refused',
        'description: a namespace drain with a Pod no controller manages',
        'load: { rate: 1, paths: [/], timeout: 1s }',
        'phases: { baseline: 1s, fault: 1s, recovery: 1s }',
        'faults:',
        '  - type: drain',
        '    cluster: central',
        `    namespaces: [${ns}]`,
        'budgets:',
        '  all:',
        '    http_req_failed: rate<0.5',
        '',
      ].join('\n'),
    );
    try {
      await scheduled(core, ns, 'stray');
      const plan = await runChaosAsync(['plan', scenario, '--env', server().environmentFile]);
      expect(plan.code, plan.stderr).to.equal(2);
      expect(plan.stdout)
        .to.include(`✗ REFUSED: Pod ${ns}/stray in central: no controller manages it`)
        .and.include('(override: force: true)')
        .and.include('nothing was changed (plan only).');
      const validate = await runChaosAsync(['validate', scenario, '--env', server().environmentFile]);
      expect(validate.code, validate.stderr).to.equal(2);
      expect(validate.stdout + validate.stderr)
        .to.include(
          `drain-refused.yaml:7:5: faults[0]: fault drain-1 in central refused: Pod ${ns}/stray in central: no controller manages it`,
        )
        .and.include('hint: if you mean it, set force: true on this fault');
      // Nothing changed: no Node cordoned, no workload scaled.
      expect((await api.listNodes()).some((node) => node.spec?.unschedulable)).to.equal(false);
      expect((await api.readWorkload('Deployment', ns, 'frontend')).metadata?.annotations?.[annotation.run]).to.equal(
        undefined,
      );
    } finally {
      await deletePods(core, [[ns, 'stray']]);
    }
  });

  it('a whole-cluster drain never evicts istiod, the gateways or the harness, and someone else’s cordon survives the revert', async () => {
    const api = apiOf(server(), 'west');
    const core = clientFor(server(), 'west', CoreV1Api);
    const ns = server().namespace;
    await waitSettled(api, ns);
    await ensureNamespace(core, 'istio-system');
    const keep: Array<[string, string]> = [
      ['istio-system', 'istiod-0'],
      [ns, 'chaos-harness'],
      [ns, 'edge-gateway'],
    ];
    await core.createNamespacedPod({
      namespace: 'istio-system',
      body: barePod('istiod-0', 'istio-system', { labels: { app: 'istiod' } }),
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: barePod('chaos-harness', ns, { labels: { 'app.kubernetes.io/name': 'chaos' }, emptyDir: true }),
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: barePod('edge-gateway', ns, { labels: { istio: 'ingressgateway' } }),
    });
    const names = (await api.listNodes()).map((node) => node.metadata!.name!).sort();
    const taken = names[0]!;
    try {
      for (const [namespace, name] of keep) await scheduled(core, namespace, name);
      const t = await openTestSession(server());
      // Unmanaged and emptyDir, but protected: not refused, not evicted.
      const phase = phaseOf(server(), t.runId, [{ id: 'drain', type: 'drain', clusters: west, ...drainDefaults }]);
      const [applied] = await t.session.apply(phase);
      const evicted = applied!.mutations.flatMap((m) =>
        m.kind === 'evict' ? m.pods.map((p) => `${p.namespace}/${p.name}`) : [],
      );
      expect(evicted.some((pod) => pod.startsWith(`${ns}/frontend`))).to.equal(true);
      for (const [namespace, name] of keep) {
        expect(evicted).to.not.include(`${namespace}/${name}`);
        expect(await podLeft(core, namespace, name), `${namespace}/${name}`).to.equal(true);
      }
      // Maintenance takes a Node over mid-fault: uncordon, then its own cordon.
      await core.patchNode(
        { name: taken, body: { spec: { unschedulable: null } }, fieldManager: 'maintenance' },
        merge,
      );
      await core.patchNode(
        { name: taken, body: { spec: { unschedulable: true } }, fieldManager: 'maintenance' },
        merge,
      );
      const [reverted] = await t.session.revert(phase);
      expect(reverted!.notes.join(' ')).to.include(`Node ${taken} was cordoned again by maintenance`);
      const nodes = await api.listNodes();
      const node = (name: string) => nodes.find((candidate) => candidate.metadata?.name === name)!;
      expect(node(taken).spec?.unschedulable).to.equal(true);
      expect(node(taken).metadata?.annotations?.[annotation.run]).to.equal(undefined);
      for (const other of names.slice(1)) expect(node(other).spec?.unschedulable ?? false, other).to.equal(false);
      for (const [namespace, name] of keep) expect(await podLeft(core, namespace, name)).to.equal(true);
      await t.close();
    } finally {
      await core.patchNode({ name: taken, body: { spec: { unschedulable: null } } }, merge);
      await deletePods(core, keep);
      await waitSettled(api, ns);
    }
  });

  it('two VirtualServices for one host: refused, naming both; nothing changed', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    const vs = (name: string): VirtualService => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace: ns },
      spec: { hosts: ['contacts'], http: [{ name: 'all', route: [{ destination: { host: 'contacts' } }] }] },
    });
    await api.createVirtualService(ns, vs('contacts-a'));
    await api.createVirtualService(ns, vs('contacts-b'));
    try {
      const before = (await api.listVirtualServices(undefined)).map((v) => [v.metadata.name, JSON.stringify(v.spec)]);
      const fault: Fault = {
        id: 'abort',
        type: 'istio-abort',
        clusters: central,
        host: 'contacts',
        via: 'mesh',
        percentage: 50,
        status: 503,
      };
      const message = await refusedMessage(server(), [fault]);
      expect(message)
        .to.include(
          `VirtualService ${ns}/contacts-a and ${ns}/contacts-b in central: both route "contacts" in the mesh`,
        )
        .and.include('IST0109');
      const lines = describeChecks(await checkPlan(planOf(server(), 'plancheck', [fault]), server().apis));
      expect(lines.join('\n')).to.include(`${ns}/contacts-a and ${ns}/contacts-b`);
      expect(
        (await api.listVirtualServices(undefined)).map((v) => [v.metadata.name, JSON.stringify(v.spec)]),
      ).to.deep.equal(before);
    } finally {
      await api.deleteVirtualService(ns, 'contacts-a');
      await api.deleteVirtualService(ns, 'contacts-b');
    }
  });

  it('a mesh fault on a host whose VirtualService is TCP-only is refused naming it and the one it would create', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await api.createVirtualService(ns, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'contacts-tcp', namespace: ns },
      spec: { hosts: ['contacts'], tcp: [{ route: [{ destination: { host: 'contacts', port: { number: 8080 } } }] }] },
    });
    try {
      const t = 'slow';
      const message = await refusedMessage(server(), [
        { id: t, type: 'istio-delay', clusters: central, host: 'contacts', via: 'mesh', percentage: 100, delayMs: 50 },
      ]);
      expect(message)
        .to.include(`VirtualService ${ns}/contacts-tcp in central: routes "contacts" with TCP/TLS routes only`)
        .and.match(
          new RegExp(`would need VirtualService ${ns}/chaos-[a-z0-9]+-slow as a second one for host "contacts"`),
        );
    } finally {
      await api.deleteVirtualService(ns, 'contacts-tcp');
    }
  });

  it('an Istio fault for a cluster whose Istio config lives elsewhere is written there and reverted there', async () => {
    const environment = {
      ...server().environment,
      clusters: server().environment.clusters.map((cluster) =>
        cluster.name === 'west' ? { ...cluster, istioConfigCluster: 'central' } : cluster,
      ),
    };
    const ns = server().namespace;
    const t = await openTestSession(server());
    const phase = phaseOf(
      server(),
      t.runId,
      [
        {
          id: 'slow',
          type: 'istio-delay',
          clusters: west,
          host: 'balancereader',
          via: 'mesh',
          percentage: 100,
          delayMs: 50,
        },
      ],
      'fault',
      60_000,
      environment,
    );
    expect(phase.faults[0]!.targets.map((target) => [target.cluster, target.workloadClusters])).to.deep.equal([
      ['central', ['west']],
    ]);
    expect(phase.faults[0]!.targets[0]!.mutations.join('\n')).to.include(
      'in central, which holds the Istio config of west (istioConfigCluster)',
    );
    const name = `chaos-${t.runId}-slow`;
    const [applied] = await t.session.apply(phase);
    expect(applied!.cluster).to.equal('central');
    const names = async (cluster: string) =>
      (await apiOf(server(), cluster).listVirtualServices(ns)).map((vs) => vs.metadata.name);
    expect(await names('central')).to.include(name);
    expect(await names('west')).to.not.include(name);
    await t.session.revert(phase);
    expect(await names('central')).to.not.include(name);
    const journal = await t.entries();
    expect(
      journal.flatMap((entry) => (entry.type === 'mutation-intended' ? [entry.mutation.cluster] : [])),
    ).to.deep.equal(['central']);
    await t.close();
  });

  it('scale: a StatefulSet whose whenScaled is Delete is refused; allowDataLoss: true lets it through', async () => {
    const api = apiOf(server(), 'west');
    const apps = clientFor(server(), 'west', AppsV1Api);
    const ns = server().namespace;
    await waitSettled(api, ns);
    await apps.patchNamespacedStatefulSet(
      {
        name: 'ledger-db',
        namespace: ns,
        body: { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } } },
      },
      merge,
    );
    try {
      const fault = (allowDataLoss: boolean): Fault => ({
        id: 'zero',
        type: 'scale',
        clusters: west,
        kind: 'StatefulSet',
        name: 'ledger-db',
        replicas: 0,
        allowDataLoss,
      });
      const before = await api.readWorkload('StatefulSet', ns, 'ledger-db');
      const message = await refusedMessage(server(), [fault(false)]);
      expect(message)
        .to.include(`StatefulSet ${ns}/ledger-db in west: persistentVolumeClaimRetentionPolicy.whenScaled is Delete`)
        .and.include('(override: allowDataLoss: true)');
      const after = await api.readWorkload('StatefulSet', ns, 'ledger-db');
      expect([after.spec?.replicas, after.metadata?.annotations]).to.deep.equal([
        before.spec?.replicas,
        before.metadata?.annotations,
      ]);
      const t = await openTestSession(server());
      const phase = phaseOf(server(), t.runId, [fault(true)]);
      await t.session.apply(phase);
      expect((await api.readWorkload('StatefulSet', ns, 'ledger-db')).spec?.replicas).to.equal(0);
      await t.session.revert(phase);
      expect((await api.readWorkload('StatefulSet', ns, 'ledger-db')).spec?.replicas).to.equal(before.spec?.replicas);
      await t.close();
    } finally {
      await apps.patchNamespacedStatefulSet(
        {
          name: 'ledger-db',
          namespace: ns,
          body: { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } } },
        },
        merge,
      );
      await waitSettled(api, ns);
    }
  });

  it('control-plane is refused when istiod is missing (naming the override) or already down; nothing changes', async () => {
    const api = apiOf(server(), 'central');
    const apps = clientFor(server(), 'central', AppsV1Api);
    await waitSettled(api, 'istio-system');
    const fault = (deployment: string): Fault => ({
      id: 'cp',
      type: 'control-plane',
      clusters: central,
      istioNamespace: 'istio-system',
      deployment,
    });
    const missing = await refusedMessage(server(), [fault('istiod-1-24')]);
    expect(missing)
      .to.include('Deployment istio-system/istiod-1-24 in central: not found')
      .and.include('(override: deployment: <name>)');
    await apps.patchNamespacedDeployment(
      { name: 'istiod', namespace: 'istio-system', body: { spec: { replicas: 0 } } },
      merge,
    );
    try {
      const before = await api.readWorkload('Deployment', 'istio-system', 'istiod');
      const down = await refusedMessage(server(), [fault('istiod')]);
      expect(down).to.include('Deployment istio-system/istiod in central: already at 0 replicas');
      const after = await api.readWorkload('Deployment', 'istio-system', 'istiod');
      expect([after.spec?.replicas, after.metadata?.annotations]).to.deep.equal([0, before.metadata?.annotations]);
    } finally {
      await apps.patchNamespacedDeployment(
        { name: 'istiod', namespace: 'istio-system', body: { spec: { replicas: 1 } } },
        merge,
      );
      await waitSettled(api, 'istio-system');
    }
  });

  it('scale is applied as ONE JSON patch: resourceVersion test, our annotations and the replicas together', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await waitSettled(api, ns);
    const calls: string[] = [];
    const counting = mutatingCalls(api, calls);
    const t = await openTestSession(server(), { apis: new Map([...server().apis, ['central', counting]]) });
    // userservice has no autoscaler on either server (frontend's HPA would add its pin).
    const phase = phaseOf(server(), t.runId, [
      {
        id: 'one',
        type: 'scale',
        clusters: central,
        kind: 'Deployment',
        name: 'userservice',
        replicas: 2,
        allowDataLoss: false,
      },
    ]);
    await t.session.apply(phase);
    expect(calls).to.have.length(1);
    expect(calls[0]).to.match(/^jsonPatchWorkload /);
    const ops = (JSON.parse(calls[0]!.slice('jsonPatchWorkload '.length)) as [string, JsonPatchOp[]])[1];
    expect(ops[0]).to.deep.include({ op: 'test', path: '/metadata/resourceVersion' });
    expect(ops.map((op) => op.path)).to.include.members([
      '/metadata/annotations/chaos.dev~1run',
      '/metadata/annotations/chaos.dev~1original-replicas',
      '/spec/replicas',
    ]);
    expect(ops.find((op) => op.path === '/spec/replicas')).to.deep.equal({
      op: 'replace',
      path: '/spec/replicas',
      value: 2,
    });
    await t.session.revert(phase);
    await t.close();
  });

  // Both servers serve autoscaling/v2 (the lab seeds frontend's HPA: pinned here, put back after).
  if (options.hpa)
    it('scale: an HPA already pinned by another run is refused, naming it and the run', async () => {
      const api = apiOf(server(), 'west');
      const ns = server().namespace;
      await waitSettled(api, ns);
      const autoscaling = clientFor(server(), 'west', AutoscalingV2Api);
      const pinned = await useFrontendHpa(autoscaling, ns, {
        minReplicas: 1,
        maxReplicas: 1,
        annotations: { [annotation.run]: 'tdeadrun', [annotation.fault]: 'one' },
      });
      try {
        const message = await refusedMessage(server(), [
          {
            id: 'one',
            type: 'scale',
            clusters: west,
            kind: 'Deployment',
            name: 'frontend',
            replicas: 1,
            allowDataLoss: false,
          },
        ]);
        expect(message).to.include(
          `HorizontalPodAutoscaler ${ns}/frontend in west: already pinned by chaos run tdeadrun`,
        );
        const hpa = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'frontend', namespace: ns });
        expect([hpa.spec?.minReplicas, hpa.spec?.maxReplicas]).to.deep.equal([1, 1]);
      } finally {
        await pinned.restore();
        await waitSettled(api, ns);
      }
    });

  // KEDA's ScaledObject is a CRD: installed (a minimal stand-in, no operator) where the server takes
  // CRDs; built in on the lab, whose controller honours the pause as KEDA does.
  it('scale of a KEDA-scaled workload pauses its ScaledObject (paused-replicas) instead of pinning, and resumes it; one already paused is refused', async () => {
    const api = apiOf(server(), 'west');
    const ns = server().namespace;
    await waitSettled(api, ns);
    if (options.installsCrds)
      await installCrds(
        endpointOf(server(), 'west'),
        path.join(projectRoot, 'test/fixtures/real-api/keda-scaledobject-crd.yaml'),
      );
    const autoscaling = clientFor(server(), 'west', AutoscalingV2Api);
    // A workload KEDA scales has no HPA of its own: the lab's seeded one steps aside for the case.
    const plainHpa = await autoscaling
      .readNamespacedHorizontalPodAutoscaler({ name: 'frontend', namespace: ns })
      .catch(() => undefined);
    if (plainHpa) await autoscaling.deleteNamespacedHorizontalPodAutoscaler({ name: 'frontend', namespace: ns });
    const replicasBefore = (await api.readWorkload('Deployment', ns, 'frontend')).spec?.replicas;
    const custom = clientFor(server(), 'west', CustomObjectsApi);
    const coordinates = { group: 'keda.sh', version: 'v1alpha1', namespace: ns, plural: 'scaledobjects' };
    const read = async () =>
      (await custom.getNamespacedCustomObject({ ...coordinates, name: 'frontend' })) as {
        metadata: { annotations?: Record<string, string> };
      };
    await custom.createNamespacedCustomObject({
      ...coordinates,
      body: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'frontend', namespace: ns },
        spec: { scaleTargetRef: { name: 'frontend' }, minReplicaCount: 1, maxReplicaCount: 4, triggers: [] },
      },
    });
    try {
      const fault: Fault = {
        id: 'one',
        type: 'scale',
        clusters: west,
        kind: 'Deployment',
        name: 'frontend',
        replicas: 1,
        allowDataLoss: false,
      };
      const t = await openTestSession(server());
      const phase = phaseOf(server(), t.runId, [fault]);
      const [applied] = await t.session.apply(phase);
      expect(applied!.mutations.map((m) => m.kind)).to.deep.equal(['keda-pause', 'scale']);
      expect((await read()).metadata.annotations?.['autoscaling.keda.sh/paused-replicas']).to.equal('1');
      // The count to restore is the one before the pause, whatever KEDA did on seeing it.
      const scaled = applied!.mutations.find((m) => m.kind === 'scale');
      expect(scaled).to.deep.include({ originalReplicas: replicasBefore, replicas: 1 });
      await t.session.revert(phase);
      expect((await read()).metadata.annotations).to.equal(undefined);
      expect((await api.readWorkload('Deployment', ns, 'frontend')).spec?.replicas).to.equal(replicasBefore);
      await t.close();
      // Someone else paused it: not ours to resume, so the fault is refused.
      await custom.patchNamespacedCustomObject(
        {
          ...coordinates,
          name: 'frontend',
          body: { metadata: { annotations: { 'autoscaling.keda.sh/paused-replicas': '3' } } },
        },
        merge,
      );
      const message = await refusedMessage(server(), [fault]);
      expect(message).to.include(`ScaledObject ${ns}/frontend in west: already paused at 3 replicas by someone else`);
    } finally {
      await custom.deleteNamespacedCustomObject({ ...coordinates, name: 'frontend' });
      if (plainHpa)
        await autoscaling.createNamespacedHorizontalPodAutoscaler({
          namespace: ns,
          body: { metadata: { name: 'frontend', labels: plainHpa.metadata?.labels }, spec: plainHpa.spec },
        });
      await waitSettled(api, ns);
    }
  });
}
