/**
 * policy/v1 Eviction and PodDisruptionBudgets: what the drain fault does to each Pod. A Pending
 * Pod is evicted without looking at budgets (the apiserver treats it as not yet disrupting
 * anything), so the guarded Pod is marked Running through its status subresource first.
 */
import { ApiException, PatchStrategy, setHeaderOptions, type V1Eviction, type V1Pod } from '@kubernetes/client-node';
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

function pod(name: string, namespace: string, app: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app } },
    spec: { containers: [placeholderContainer], terminationGracePeriodSeconds: 1 },
  };
}

function eviction(name: string, namespace: string): V1Eviction {
  return { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } };
}

async function markRunning(ctx: ContractContext, name: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await ctx.core.patchNamespacedPodStatus(
    {
      name,
      namespace: ctx.namespace,
      body: {
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
        },
      },
    },
    mergePatch,
  );
}

/** After an allowed eviction the Pod is gone, or terminating when a kubelet must confirm. */
async function expectGoneOrTerminating(ctx: ContractContext, name: string): Promise<void> {
  try {
    const left = await ctx.core.readNamespacedPod({ name, namespace: ctx.namespace });
    expect(left.metadata?.deletionTimestamp, 'an evicted Pod that still exists must be terminating').to.not.equal(
      undefined,
    );
  } catch (error) {
    if (!(error instanceof ApiException) || error.code !== 404) throw error;
  }
}

export function evictionCases(context: () => ContractContext): void {
  describe('eviction', () => {
    it('evicts a Pod that no disruption budget covers', async () => {
      const ctx = context();
      const name = uniqueName('evict-free');
      await ctx.core.createNamespacedPod({ namespace: ctx.namespace, body: pod(name, ctx.namespace, name) });
      await markRunning(ctx, name);
      await ctx.core.createNamespacedPodEviction({
        name,
        namespace: ctx.namespace,
        body: eviction(name, ctx.namespace),
      });
      await expectGoneOrTerminating(ctx, name);
    });

    it('refuses with 429 and a DisruptionBudget cause to evict a Pod whose budget allows no disruption', async () => {
      const ctx = context();
      const app = uniqueName('guarded');
      const name = `${app}-pod`;
      await ctx.policy.createNamespacedPodDisruptionBudget({
        namespace: ctx.namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: app, namespace: ctx.namespace },
          spec: { minAvailable: 1, selector: { matchLabels: { app } } },
        },
      });
      await ctx.core.createNamespacedPod({ namespace: ctx.namespace, body: pod(name, ctx.namespace, app) });
      await markRunning(ctx, name);
      const status = await expectApiError(
        ctx.core.createNamespacedPodEviction({ name, namespace: ctx.namespace, body: eviction(name, ctx.namespace) }),
        429,
      );
      expectFailureStatus(status, 429, 'TooManyRequests');
      const causes = status.details?.causes ?? [];
      expect(causes.map((cause) => cause.reason)).to.include('DisruptionBudget');
      expect(causes.find((cause) => cause.reason === 'DisruptionBudget')?.message).to.contain(app);
      // The servers differ on purpose (ServerTraits): the real server adds Retry-After only while
      // the budget's status is "still being processed" (no disruption controller has computed it:
      // the bare apiserver). With a disruption controller (the lab, any real cluster) it refuses
      // on the computed status, "needs N healthy pods", without one. Each server declares which
      // it is, and must answer that way.
      const raw = await rawRequest(ctx.endpoint, {
        method: 'POST',
        path: `/api/v1/namespaces/${ctx.namespace}/pods/${name}/eviction`,
        body: eviction(name, ctx.namespace),
      });
      expect(raw.status).to.equal(429);
      const budgetCause = causes.find((cause) => cause.reason === 'DisruptionBudget')?.message ?? '';
      if (!ctx.traits.disruptionController) {
        expect(budgetCause).to.match(/still being processed/);
        expect(status.details?.retryAfterSeconds).to.be.a('number').and.greaterThan(0);
        expect(raw.headers['retry-after'], 'the Retry-After header of a refused eviction').to.match(/^[1-9]\d*$/);
      } else {
        expect(status.message).to.match(/Cannot evict pod as it would violate the pod's disruption budget/);
        expect(budgetCause).to.match(/needs \d+ healthy pods/);
      }
      const still = await ctx.core.readNamespacedPod({ name, namespace: ctx.namespace });
      expect(still.metadata?.deletionTimestamp).to.equal(undefined);
    });

    it('evicts a Pending Pod even when a budget covers it', async () => {
      const ctx = context();
      const app = uniqueName('pending');
      const name = `${app}-pod`;
      await ctx.policy.createNamespacedPodDisruptionBudget({
        namespace: ctx.namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: app, namespace: ctx.namespace },
          spec: { minAvailable: 1, selector: { matchLabels: { app } } },
        },
      });
      // No nodeSelector match anywhere: the Pod stays Pending on every server.
      const pending = pod(name, ctx.namespace, app);
      pending.spec = { ...pending.spec!, nodeSelector: { 'chaos.example.io/nowhere': 'true' } };
      await ctx.core.createNamespacedPod({ namespace: ctx.namespace, body: pending });
      await ctx.core.createNamespacedPodEviction({
        name,
        namespace: ctx.namespace,
        body: eviction(name, ctx.namespace),
      });
      await expectGoneOrTerminating(ctx, name);
    });

    it('answers 404 NotFound when the Pod to evict does not exist', async () => {
      const ctx = context();
      const name = uniqueName('evict-absent');
      const status = await expectApiError(
        ctx.core.createNamespacedPodEviction({ name, namespace: ctx.namespace, body: eviction(name, ctx.namespace) }),
        404,
      );
      expectFailureStatus(status, 404, 'NotFound');
    });

    it('refuses an eviction whose uid precondition does not match with 409 Conflict', async () => {
      const ctx = context();
      const name = uniqueName('evict-uid');
      await ctx.core.createNamespacedPod({ namespace: ctx.namespace, body: pod(name, ctx.namespace, name) });
      const body: V1Eviction = {
        ...eviction(name, ctx.namespace),
        deleteOptions: { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } },
      };
      const status = await expectApiError(
        ctx.core.createNamespacedPodEviction({ name, namespace: ctx.namespace, body }),
        409,
      );
      expectFailureStatus(status, 409, 'Conflict');
      const still = await ctx.core.readNamespacedPod({ name, namespace: ctx.namespace });
      expect(still.metadata?.deletionTimestamp).to.equal(undefined);
    });

    it('refuses a Pod delete whose uid precondition does not match with 409 Conflict', async () => {
      const ctx = context();
      const name = uniqueName('delete-uid');
      const created = await ctx.core.createNamespacedPod({
        namespace: ctx.namespace,
        body: pod(name, ctx.namespace, name),
      });
      const status = await expectApiError(
        ctx.core.deleteNamespacedPod({
          name,
          namespace: ctx.namespace,
          body: { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } },
        }),
        409,
      );
      expectFailureStatus(status, 409, 'Conflict');
      await ctx.core.deleteNamespacedPod({
        name,
        namespace: ctx.namespace,
        gracePeriodSeconds: 0,
        body: { preconditions: { uid: created.metadata?.uid } },
      });
      await expectGoneOrTerminating(ctx, name);
    });

    it('deletes a Pod at once (grace period 0) and answers with the Pod', async () => {
      const ctx = context();
      const name = uniqueName('delete-pod');
      await ctx.core.createNamespacedPod({ namespace: ctx.namespace, body: pod(name, ctx.namespace, name) });
      const deleted = await ctx.core.deleteNamespacedPod({ name, namespace: ctx.namespace, gracePeriodSeconds: 0 });
      expect(deleted.kind).to.equal('Pod');
      expect(deleted.metadata?.name).to.equal(name);
      await expectGoneOrTerminating(ctx, name);
    });
  });
}
