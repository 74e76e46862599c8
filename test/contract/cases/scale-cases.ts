/** The scale subresource: what the scale-to-zero fault reads, patches and restores. */
import {
  AutoscalingV2Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { rawRequest } from '../../support/real-http.js';
import {
  expectApiError,
  expectFailureStatus,
  placeholderContainer,
  uniqueName,
  type ContractContext,
} from '../contract-context.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function deployment(name: string, namespace: string, replicas: number): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [placeholderContainer] } },
    },
  };
}

function statefulSet(name: string, namespace: string, replicas: number): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [placeholderContainer] } },
    },
  };
}

export function scaleCases(context: () => ContractContext): void {
  describe('scale subresource', () => {
    it('reads the scale of a Deployment as an autoscaling/v1 Scale', async () => {
      const { apps, namespace } = context();
      const name = uniqueName('scale-read');
      await apps.createNamespacedDeployment({ namespace, body: deployment(name, namespace, 3) });
      const scale = await apps.readNamespacedDeploymentScale({ name, namespace });
      expect(scale.apiVersion).to.equal('autoscaling/v1');
      expect(scale.kind).to.equal('Scale');
      expect(scale.metadata?.name).to.equal(name);
      expect(scale.metadata?.namespace).to.equal(namespace);
      expect(scale.metadata?.resourceVersion).to.be.a('string').and.not.equal('');
      expect(scale.spec?.replicas).to.equal(3);
      expect(scale.status?.selector).to.equal(`app=${name}`);
    });

    it('merge-patches the scale of a Deployment and the Deployment follows', async () => {
      const { apps, namespace } = context();
      const name = uniqueName('scale-patch');
      const created = await apps.createNamespacedDeployment({ namespace, body: deployment(name, namespace, 2) });
      const scale = await apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas: 0 } } },
        mergePatch,
      );
      expect(scale.kind).to.equal('Scale');
      // autoscaling/v1 ScaleSpec.replicas is omitempty: a Scale of zero arrives as `spec: {}`.
      expect(scale.spec, 'the real server omits replicas: 0 from a Scale').to.deep.equal({});
      const after = await apps.readNamespacedDeployment({ name, namespace });
      expect(after.spec?.replicas).to.equal(0);
      expect(after.metadata?.generation).to.be.greaterThan(created.metadata?.generation ?? 0);
      expect(after.metadata?.resourceVersion).to.not.equal(created.metadata?.resourceVersion);
      const restored = await apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas: 2 } } },
        mergePatch,
      );
      expect(restored.spec?.replicas).to.equal(2);
    });

    it('reads and merge-patches the scale of a StatefulSet', async () => {
      const { apps, namespace } = context();
      const name = uniqueName('scale-sts');
      await apps.createNamespacedStatefulSet({ namespace, body: statefulSet(name, namespace, 1) });
      const scale = await apps.readNamespacedStatefulSetScale({ name, namespace });
      expect(scale.kind).to.equal('Scale');
      expect(scale.spec?.replicas).to.equal(1);
      expect(scale.status?.selector).to.equal(`app=${name}`);
      const patched = await apps.patchNamespacedStatefulSetScale(
        { name, namespace, body: { spec: { replicas: 0 } } },
        mergePatch,
      );
      expect(patched.spec, 'the real server omits replicas: 0 from a Scale').to.deep.equal({});
      expect((await apps.readNamespacedStatefulSet({ name, namespace })).spec?.replicas).to.equal(0);
    });

    it('keeps a Deployment annotation written by a merge patch next to a scale change', async () => {
      const { apps, namespace } = context();
      const name = uniqueName('scale-note');
      await apps.createNamespacedDeployment({ namespace, body: deployment(name, namespace, 2) });
      const note = { metadata: { annotations: { 'chaos.example.io/original-replicas': '2' } } };
      await apps.patchNamespacedDeployment({ name, namespace, body: note }, mergePatch);
      await apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas: 0 } } }, mergePatch);
      const after = await apps.readNamespacedDeployment({ name, namespace });
      expect(after.metadata?.annotations?.['chaos.example.io/original-replicas']).to.equal('2');
      const removed = await apps.patchNamespacedDeployment(
        { name, namespace, body: { metadata: { annotations: { 'chaos.example.io/original-replicas': null } } } },
        mergePatch,
      );
      expect(removed.metadata?.annotations?.['chaos.example.io/original-replicas']).to.equal(undefined);
    });

    it('refuses a negative replica count with 422 Invalid', async () => {
      const { apps, namespace } = context();
      const name = uniqueName('scale-neg');
      await apps.createNamespacedDeployment({ namespace, body: deployment(name, namespace, 1) });
      const status = await expectApiError(
        apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas: -1 } } }, mergePatch),
        422,
      );
      expectFailureStatus(status, 422, 'Invalid');
      expect(status.details?.causes?.map((cause) => cause.field)).to.include('spec.replicas');
    });

    it('refuses a scale merge patch carrying a stale resourceVersion with 409 Conflict', async () => {
      const { apps, namespace } = context();
      const name = uniqueName('scale-rv');
      await apps.createNamespacedDeployment({ namespace, body: deployment(name, namespace, 2) });
      const read = await apps.readNamespacedDeploymentScale({ name, namespace });
      const stale = read.metadata?.resourceVersion ?? '';
      const moved = await apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { metadata: { resourceVersion: stale }, spec: { replicas: 1 } } },
        mergePatch,
      );
      expect(moved.spec?.replicas).to.equal(1);
      const status = await expectApiError(
        apps.patchNamespacedDeploymentScale(
          { name, namespace, body: { metadata: { resourceVersion: stale }, spec: { replicas: 0 } } },
          mergePatch,
        ),
        409,
      );
      expectFailureStatus(status, 409, 'Conflict');
      expect((await apps.readNamespacedDeployment({ name, namespace })).spec?.replicas).to.equal(1);
    });

    it('lists workloads of a namespace', async () => {
      const { apps, namespace } = context();
      const name = uniqueName('scale-list');
      await apps.createNamespacedDeployment({ namespace, body: deployment(name, namespace, 1) });
      await apps.createNamespacedStatefulSet({ namespace, body: statefulSet(name, namespace, 1) });
      const deployments = await apps.listNamespacedDeployment({ namespace });
      const statefulSets = await apps.listNamespacedStatefulSet({ namespace });
      expect(deployments.items.map((item) => item.metadata?.name)).to.include(name);
      expect(statefulSets.items.map((item) => item.metadata?.name)).to.include(name);
    });

    it('lists and merge-patches HorizontalPodAutoscalers where autoscaling/v2 is served, else answers 404', async () => {
      const ctx = context();
      const autoscaling = ctx.kubeConfig.makeApiClient(AutoscalingV2Api);
      const served = (await rawRequest(ctx.endpoint, { method: 'GET', path: '/apis/autoscaling/v2' })).status === 200;
      // The servers differ on purpose: the lab has no HPAs (ServerTraits), a real apiserver does.
      expect(served, 'autoscaling/v2 served').to.equal(ctx.traits.autoscalingV2);
      if (!ctx.traits.autoscalingV2) {
        // The harness reads a 404 here as "no HPAs"; any other answer would be a defect.
        const status = await expectApiError(
          autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ctx.namespace }),
          404,
        );
        expectFailureStatus(status, 404, 'NotFound');
        return;
      }
      const name = uniqueName('hpa');
      await ctx.apps.createNamespacedDeployment({ namespace: ctx.namespace, body: deployment(name, ctx.namespace, 2) });
      await autoscaling.createNamespacedHorizontalPodAutoscaler({
        namespace: ctx.namespace,
        body: {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name },
          spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 2, maxReplicas: 4 },
        },
      });
      const list = await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ctx.namespace });
      expect(list.items.map((item) => item.metadata?.name)).to.include(name);
      const patched = await autoscaling.patchNamespacedHorizontalPodAutoscaler(
        {
          name,
          namespace: ctx.namespace,
          body: { metadata: { annotations: { 'chaos.example.io/min-replicas': '2' } }, spec: { minReplicas: 1 } },
        },
        mergePatch,
      );
      expect(patched.spec?.minReplicas).to.equal(1);
      expect(patched.metadata?.annotations?.['chaos.example.io/min-replicas']).to.equal('2');
    });

    it('answers 404 NotFound for the scale of a missing Deployment', async () => {
      const { apps, namespace } = context();
      const status = await expectApiError(
        apps.readNamespacedDeploymentScale({ name: uniqueName('absent'), namespace }),
        404,
      );
      expectFailureStatus(status, 404, 'NotFound');
    });
  });
}
