/**
 * The lab's autoscalers, as a scale fault meets them: autoscaling/v2 HorizontalPodAutoscalers
 * (the shipped frontend has one, as production installs do) keep their target within
 * minReplicas..maxReplicas at each sync and leave a target at zero alone; KEDA ScaledObjects own
 * an HPA with their bounds, and the paused-replicas annotation scales the target and removes the
 * HPA until it goes. Expected counts come from the rules (the real controller's clamp, KEDA's
 * documented pause), never from the lab's own output.
 */
import { expect } from 'chai';
import { AutoscalingV2Api, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { RunningLab } from '../../src/lab/index.js';
import { clientsFor, merge, scale, startTestLab, waitFor, type Clients } from './lab-test-kit.js';

const ns = 'bank-of-anthos';
/** Short, so "comes back at the next sync" is seconds, not the default 15. */
const syncMs = 1_000;

describe('lab autoscalers: HPAs and KEDA ScaledObjects', function () {
  this.timeout(60_000);
  let lab: RunningLab;
  let errors: string[];
  let west: Clients;
  let hpas: AutoscalingV2Api;

  before(async () => {
    ({ lab, errors } = await startTestLab({ timing: { autoscalerSyncMs: syncMs } }));
    west = clientsFor(lab, 'west');
    hpas = west.kc.makeApiClient(AutoscalingV2Api);
  });
  after(async () => {
    await lab?.stop();
  });
  afterEach(() => expect(errors, 'controller errors').to.deep.equal([]));

  const replicasOf = async (name: string): Promise<number | undefined> =>
    (await west.apps.readNamespacedDeployment({ name, namespace: ns })).spec?.replicas;
  const readHpa = (name: string): Promise<V2HorizontalPodAutoscaler> =>
    hpas.readNamespacedHorizontalPodAutoscaler({ name, namespace: ns });
  const hpaNames = async (): Promise<string[]> =>
    (await hpas.listNamespacedHorizontalPodAutoscaler({ namespace: ns })).items.map((h) => h.metadata!.name!);

  it('seeds the frontend HPA of the topology in both clusters, with the defaults the real server gives', async () => {
    for (const cluster of ['central', 'west']) {
      const api = clientsFor(lab, cluster).kc.makeApiClient(AutoscalingV2Api);
      const all = await api.listHorizontalPodAutoscalerForAllNamespaces();
      expect(
        all.items.map((h) => `${h.metadata?.namespace}/${h.metadata?.name}`),
        cluster,
      ).to.deep.equal([`${ns}/frontend`]);
      const [hpa] = all.items;
      expect(hpa!.spec).to.deep.include({ minReplicas: 2, maxReplicas: 6 });
      expect(hpa!.spec!.scaleTargetRef).to.deep.include({ kind: 'Deployment', name: 'frontend' });
    }
  });

  it('raises a target below minReplicas and lowers one above maxReplicas at its next sync, saying why', async () => {
    await scale(west, ns, 'frontend', 1);
    await waitFor('frontend back at minReplicas 2', async () =>
      (await replicasOf('frontend')) === 2 ? true : undefined,
    );
    await scale(west, ns, 'frontend', 9);
    await waitFor('frontend down to maxReplicas 6', async () =>
      (await replicasOf('frontend')) === 6 ? true : undefined,
    );
    const events = await west.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'reason=SuccessfulRescale' });
    const messages = events.items.map((e) => e.message);
    expect(messages).to.include('New size: 2; reason: Current number of replicas below Spec.MinReplicas');
    expect(messages).to.include('New size: 6; reason: Current number of replicas above Spec.MaxReplicas');
    expect(events.items.every((e) => e.involvedObject.kind === 'HorizontalPodAutoscaler')).to.equal(true);
    await scale(west, ns, 'frontend', 2);
  });

  it('leaves a target at zero alone (scaling disabled), and follows its own min/max when patched (a pin)', async () => {
    await scale(west, ns, 'frontend', 0);
    await waitFor('ScalingDisabled', async () =>
      (await readHpa('frontend')).status?.conditions?.some((c) => c.reason === 'ScalingDisabled') ? true : undefined,
    );
    expect(await replicasOf('frontend')).to.equal(0);
    // A pin, as the scale fault writes it: min = max = 1, with the target at 1.
    await hpas.patchNamespacedHorizontalPodAutoscaler(
      { name: 'frontend', namespace: ns, body: { spec: { minReplicas: 1, maxReplicas: 1 } } },
      merge,
    );
    await scale(west, ns, 'frontend', 1);
    // Two syncs: it holds 1 (within the pin), where the original bounds would raise it to 2.
    await new Promise((resolve) => setTimeout(resolve, 2.5 * syncMs));
    expect(await replicasOf('frontend')).to.equal(1);
    await hpas.patchNamespacedHorizontalPodAutoscaler(
      { name: 'frontend', namespace: ns, body: { spec: { minReplicas: 2, maxReplicas: 6 } } },
      merge,
    );
    // An HPA change is acted on at once, not at the next sync.
    await waitFor('frontend back at 2 once unpinned', async () =>
      (await replicasOf('frontend')) === 2 ? true : undefined,
    );
  });

  it('refuses an HPA without maxReplicas or with maxReplicas below minReplicas, naming the fields (422)', async () => {
    for (const spec of [
      { scaleTargetRef: { kind: 'Deployment', name: 'userservice' }, minReplicas: 1 },
      { scaleTargetRef: { kind: 'Deployment', name: 'userservice' }, minReplicas: 3, maxReplicas: 2 },
    ]) {
      const error = await hpas
        .createNamespacedHorizontalPodAutoscaler({ namespace: ns, body: { metadata: { name: 'bad' }, spec } as never })
        .then(
          () => undefined,
          (e: { code?: number; body?: string }) => e,
        );
      expect(error?.code).to.equal(422);
      expect(error?.body).to.include('spec.maxReplicas');
    }
  });

  it('a ScaledObject owns an HPA with its bounds; paused-replicas scales the target and removes the HPA; resumed, it is back', async () => {
    const coordinates = { group: 'keda.sh', version: 'v1alpha1', namespace: ns, plural: 'scaledobjects' };
    await west.custom.createNamespacedCustomObject({
      ...coordinates,
      body: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'userservice' },
        spec: {
          scaleTargetRef: { name: 'userservice' },
          minReplicaCount: 1,
          maxReplicaCount: 4,
          triggers: [{ type: 'cpu', metadata: { value: '60' } }],
        },
      },
    });
    try {
      const kedaHpa = await waitFor('keda-hpa-userservice', async () =>
        (await hpaNames()).includes('keda-hpa-userservice') ? readHpa('keda-hpa-userservice') : undefined,
      );
      expect(kedaHpa.spec).to.deep.include({ minReplicas: 1, maxReplicas: 4 });
      expect(kedaHpa.metadata?.ownerReferences?.[0]).to.deep.include({ kind: 'ScaledObject', name: 'userservice' });
      await west.custom.patchNamespacedCustomObject(
        {
          ...coordinates,
          name: 'userservice',
          body: { metadata: { annotations: { 'autoscaling.keda.sh/paused-replicas': '3' } } },
        },
        merge,
      );
      await waitFor('paused at 3 without its HPA', async () =>
        (await replicasOf('userservice')) === 3 && !(await hpaNames()).includes('keda-hpa-userservice')
          ? true
          : undefined,
      );
      await west.custom.patchNamespacedCustomObject(
        {
          ...coordinates,
          name: 'userservice',
          body: { metadata: { annotations: { 'autoscaling.keda.sh/paused-replicas': null } } },
        },
        merge,
      );
      await waitFor('its HPA back', async () =>
        (await hpaNames()).includes('keda-hpa-userservice') ? true : undefined,
      );
      // Within 1..4: the HPA leaves 3 as it is.
      expect(await replicasOf('userservice')).to.equal(3);
    } finally {
      await west.custom.deleteNamespacedCustomObject({ ...coordinates, name: 'userservice' });
    }
    // Its HPA goes with it (owner reference), as on a real cluster.
    await waitFor('keda-hpa-userservice gone', async () =>
      !(await hpaNames()).includes('keda-hpa-userservice') ? true : undefined,
    );
  });
});
