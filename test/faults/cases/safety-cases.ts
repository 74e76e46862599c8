/**
 * Judged by 2 (a VirtualService with routes and a fault of its own comes back byte-identical),
 * 3 (a concurrent edit between apply and revert is detected and reported), 4 (a PDB makes
 * drain wait and retry, then proceed), and the HPA handling of `scale`.
 */
import { PatchStrategy, PolicyV1Api, KubeConfig, setHeaderOptions, AutoscalingV2Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { annotation } from '../../../src/faults/annotations.js';
import { conflictAnnotation, readConflictMark } from '../../../src/faults/conflict-mark.js';
import { isTooManyRequests } from '../../../src/kube/api-error.js';
import type { ClusterApi } from '../../../src/kube/cluster-api.js';
import type { VirtualService } from '../../../src/kube/types.js';
import { RevertError } from '../../../src/run/session/fault-session.js';
import { apiOf, type FaultTestServer } from '../support/servers.js';
import { useFrontendHpa } from '../support/frontend-hpa.js';
import { openTestSession, phaseOf, userView, waitFor, waitSettled } from '../support/session.js';

const central = { kind: 'named' as const, names: ['central'] };

function clientFor<T>(server: FaultTestServer, cluster: string, api: new (...args: never[]) => T): T {
  const entry = server.environment.clusters.find((c) => c.name === cluster)!;
  const config = new KubeConfig();
  config.loadFromString(readFileSync(entry.kubeconfig!, 'utf8'));
  config.setCurrentContext(entry.context);
  return config.makeApiClient(api as never) as T;
}

function shopVirtualService(namespace: string): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'shop-ingress', namespace, annotations: { team: 'shop' } },
    spec: {
      hosts: ['shop.example.com'],
      gateways: ['frontend-gateway'],
      http: [
        {
          name: 'api',
          match: [{ uri: { prefix: '/api' } }],
          route: [{ destination: { host: 'userservice', port: { number: 8080 } } }],
          fault: { delay: { fixedDelay: '5ms', percentage: { value: 1 } } },
        },
        {
          name: 'web',
          route: [{ destination: { host: 'frontend', port: { number: 80 } }, weight: 100 }],
          timeout: '3s',
          fault: { abort: { httpStatus: 500, percentage: { value: 0.5 } } },
        },
      ],
    },
  };
}

export function safetyCases(server: () => FaultTestServer, options: { hpa: boolean }): void {
  it('a VirtualService that had routes and a fault of its own comes back byte-identical in spec', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await api.createVirtualService(ns, shopVirtualService(ns));
    try {
      const before = await api.readVirtualService(ns, 'shop-ingress');
      const t = await openTestSession(server());
      const phase = phaseOf(server(), t.runId, [
        {
          id: 'slow',
          type: 'istio-delay',
          clusters: central,
          host: 'frontend',
          via: 'ingress',
          percentage: 50,
          delayMs: 200,
        },
      ]);
      await t.session.apply(phase);
      const during = await api.readVirtualService(ns, 'shop-ingress');
      // Copies of the routes up to frontend's keep every path's destination; the fault only on frontend's.
      expect(during.spec.http?.map((route) => route.name)).to.deep.equal([
        `chaos-${t.runId}-slow`,
        `chaos-${t.runId}-slow-2`,
        'api',
        'web',
      ]);
      expect(during.spec.http?.[0]?.fault).to.deep.equal(before.spec.http?.[0]?.fault);
      expect(during.spec.http?.[1]?.fault).to.deep.equal({
        abort: { httpStatus: 500, percentage: { value: 0.5 } },
        delay: { fixedDelay: '200ms', percentage: { value: 50 } },
      });
      await t.session.revert(phase);
      const after = await api.readVirtualService(ns, 'shop-ingress');
      expect(JSON.stringify(after.spec)).to.equal(JSON.stringify(before.spec));
      expect(after.metadata.annotations).to.deep.equal({ team: 'shop' });
      await t.close();
    } finally {
      await api.deleteVirtualService(ns, 'shop-ingress');
    }
  });

  it('scale: someone else changing the replicas meanwhile is reported as a conflict, with the manual command, and not overwritten', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await waitSettled(api, ns);
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
    await t.session.apply(phase);
    await api.patchScale('Deployment', ns, 'frontend', 3);
    const error = await t.session.revert(phase).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RevertError);
    const failure = (error as RevertError).failures[0]!;
    expect(failure.message).to.match(/changed by someone else meanwhile: 3 replicas \(we set 0, it was 2\)/);
    expect(failure.manual)
      .to.include(`scale deployment/frontend --replicas=2`)
      .and.include(server().environment.clusters[0]!.context);
    expect((await api.readScale('Deployment', ns, 'frontend')).spec?.replicas).to.equal(3);
    // The conflict ends once (docs/safety.md): the object keeps their count, carries the
    // chaos.dev/conflict mark and none of our other annotations, and nothing retries it.
    const again = await t.session.revertAll('end', { verify: false });
    expect(again.failures).to.deep.equal([]);
    expect((await api.readScale('Deployment', ns, 'frontend')).spec?.replicas).to.equal(3);
    const annotations = (await api.readWorkload('Deployment', ns, 'frontend')).metadata?.annotations ?? {};
    expect(annotations[annotation.run]).to.equal(undefined);
    expect(readConflictMark(annotations)?.detail).to.match(/changed by someone else meanwhile/);
    // A person decides (recover prints both commands): back to the original count, the mark cleared.
    await api.patchScale('Deployment', ns, 'frontend', 2);
    await api.mergePatchWorkload('Deployment', ns, 'frontend', {
      metadata: { annotations: { [conflictAnnotation]: null } },
    });
    await t.close();
  });

  it('istio: someone else editing the VirtualService meanwhile is kept and reported; only our route goes', async () => {
    const { namespace, name } = server().ingressVirtualService;
    const api = apiOf(server(), 'central');
    const before = await api.readVirtualService(namespace, name);
    const t = await openTestSession(server());
    const phase = phaseOf(server(), t.runId, [
      {
        id: 'abort',
        type: 'istio-abort',
        clusters: central,
        host: 'frontend',
        via: 'ingress',
        percentage: 5,
        status: 503,
      },
    ]);
    await t.session.apply(phase);
    const theirs = {
      name: 'their-canary',
      match: [{ uri: { prefix: '/canary' } }],
      route: [{ destination: { host: 'frontend', port: { number: 80 } } }],
    };
    await api.jsonPatchVirtualService(namespace, name, [{ op: 'add', path: '/spec/http/-', value: theirs }]);
    const [reverted] = await t.session.revert(phase);
    expect(reverted!.notes.join(' ')).to.match(/changed by someone else meanwhile/);
    const after = await api.readVirtualService(namespace, name);
    expect(after.spec.http?.map((route) => route.name)).to.deep.equal([
      ...(before.spec.http ?? []).map((route) => route.name),
      'their-canary',
    ]);
    await api.jsonPatchVirtualService(namespace, name, [
      { op: 'remove', path: `/spec/http/${(after.spec.http?.length ?? 1) - 1}` },
    ]);
    expect(JSON.stringify((await api.readVirtualService(namespace, name)).spec)).to.equal(JSON.stringify(before.spec));
    await t.close();
  });

  it('drain waits and retries while a PodDisruptionBudget refuses eviction (429), then proceeds when it allows', async () => {
    const api = apiOf(server(), 'central');
    const ns = server().namespace;
    await waitSettled(api, ns);
    const policy = clientFor(server(), 'central', PolicyV1Api);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: ns,
      body: {
        metadata: { name: 'frontend-pdb' },
        spec: { minAvailable: 2, selector: { matchLabels: { app: 'frontend' } } },
      },
    });
    let refusals = 0;
    const counting: ClusterApi = {
      ...api,
      evictPod: async (namespace, name, options) => {
        try {
          return await api.evictPod(namespace, name, options);
        } catch (error) {
          if (isTooManyRequests(error)) refusals += 1;
          throw error;
        }
      },
    };
    try {
      const t = await openTestSession(server(), { apis: new Map([...server().apis, ['central', counting]]) });
      // A whole-cluster drain evicts (a namespace drain scales to zero, which no PDB governs).
      const phase = phaseOf(server(), t.runId, [
        {
          id: 'drain',
          type: 'drain',
          clusters: central,
          force: false,
          deleteEmptyDirData: false,
          allowDataLoss: false,
        },
      ]);
      let settled = false;
      const applying = t.session.apply(phase).finally(() => {
        settled = true;
      });
      await waitFor('two refused evictions', async () => (refusals >= 2 ? true : undefined));
      expect(settled).to.equal(false);
      await policy.patchNamespacedPodDisruptionBudget(
        { name: 'frontend-pdb', namespace: ns, body: { spec: { minAvailable: 0 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const [applied] = await applying;
      expect(
        applied!.mutations.some((m) => m.kind === 'evict' && m.pods.some((pod) => pod.name.startsWith('frontend'))),
      ).to.equal(true);
      expect(
        (await api.listPods(ns, { labelSelector: 'app=frontend' })).filter(
          (pod) => pod.spec?.nodeName && !pod.metadata?.deletionTimestamp,
        ),
      ).to.have.length(0);
      await t.session.revert(phase);
      await t.close();
    } finally {
      await policy.deleteNamespacedPodDisruptionBudget({ name: 'frontend-pdb', namespace: ns });
      await waitSettled(api, ns);
    }
  });

  // Both servers serve autoscaling/v2; the lab seeds frontend's HPA (2..6), the real tier gets one here.
  if (options.hpa)
    it('scale with an HPA: pins it to the fault count (it would fight), restores it exactly', async () => {
      const api = apiOf(server(), 'west');
      const ns = server().namespace;
      await waitSettled(api, ns);
      const autoscaling = clientFor(server(), 'west', AutoscalingV2Api);
      const hpa = await useFrontendHpa(autoscaling, ns, { minReplicas: 2, maxReplicas: 5 });
      try {
        const hpaBefore = userView(
          await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'frontend', namespace: ns }),
        );
        const t = await openTestSession(server());
        const phase = phaseOf(server(), t.runId, [
          {
            id: 'one',
            type: 'scale',
            clusters: { kind: 'named', names: ['west'] },
            kind: 'Deployment',
            name: 'frontend',
            replicas: 1,
            allowDataLoss: false,
          },
        ]);
        const [applied] = await t.session.apply(phase);
        // Pinned after the scale, so the revert (newest first) unpins before it restores the count.
        expect(applied!.mutations.map((m) => m.kind)).to.deep.equal(['scale', 'hpa-pin']);
        const pinned = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'frontend', namespace: ns });
        expect([pinned.spec?.minReplicas, pinned.spec?.maxReplicas]).to.deep.equal([1, 1]);
        await t.session.revert(phase);
        expect(
          userView(await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'frontend', namespace: ns })),
        ).to.deep.equal(hpaBefore);
        await t.close();
      } finally {
        await hpa.restore();
        await waitSettled(api, ns);
      }
    });
}
