/**
 * `scale`: a Deployment or StatefulSet to N replicas. The original count goes to the journal
 * first, then ONE JSON patch — `test` of metadata.resourceVersion, our annotations (the
 * original count among them), spec.replicas — so a retried or late write can never land on a
 * workload that changed since we read it. The revert restores exactly the recorded count,
 * unless someone else changed it meanwhile — then it reports a conflict and leaves it alone.
 *
 * Refused (by `check`, before anything changes): a StatefulSet scale-down whose
 * persistentVolumeClaimRetentionPolicy.whenScaled is Delete (its volumes would be deleted:
 * irreversible) unless `allowDataLoss: true`; a workload, HPA or ScaledObject another run holds.
 *
 * Autoscalers: an HPA is inactive at 0 replicas but fights any other count, so for N > 0 it is
 * pinned to N (after the scale, so the revert — newest first — unpins before restoring). A
 * KEDA ScaledObject owns its HPA and would undo a pin: it is paused the way KEDA documents,
 * `autoscaling.keda.sh/paused-replicas: "N"` (before the scale), and its HPA left alone.
 */
import { refusalError } from '../refusal.js';
import { retryOnConflict } from '../../kube/retry.js';
import type { Deployment, HorizontalPodAutoscaler, JsonPatchOp, StatefulSet, WorkloadKind } from '../../kube/types.js';
import { escapePointer } from '../../kube/types.js';
import type { ScaleFault } from './schema.js';
import { annotation, kedaPausedReplicas, runAnnotations } from '../annotations.js';
import type { CheckContext, FaultContext, FaultPlugin, KubeContext, Refusal } from '../fault-plugin.js';
import type { HpaPinMutation, KedaPauseMutation, ScaleKindMutation, ScaleMutation } from './mutations.js';
import { checkWorkloadReplicas, countReadyEndpoints } from '../readiness.js';
import { revertMutations, verifyMutationsReverted, waitUntil } from '../wait.js';
import { hpaPinHandler, kedaPauseHandler, scaleHandler } from './handlers.js';
import { checkWorkloadScale, findAutoscalers } from './checks.js';

const handlers = { scale: scaleHandler, 'hpa-pin': hpaPinHandler, 'keda-pause': kedaPauseHandler };

/** What scales a workload besides its own spec: a KEDA ScaledObject and/or an HPA targeting it. */
function baseOf(
  ctx: FaultContext,
  faultId: string,
): { runId: string; faultId: string; cluster: string; expiresAt: string } {
  return { runId: ctx.target.runId, faultId, cluster: ctx.target.cluster, expiresAt: ctx.expiresAt };
}

/** JSON patch: test resourceVersion, add our annotations, set replicas — one write, all or nothing. */
function scalePatch(
  workload: Deployment | StatefulSet,
  annotations: Record<string, string>,
  replicas: number,
): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: workload.metadata?.resourceVersion ?? '' },
  ];
  if (!workload.metadata?.annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
  for (const [key, value] of Object.entries(annotations))
    ops.push({ op: 'add', path: `/metadata/annotations/${escapePointer(key)}`, value });
  ops.push({ op: workload.spec?.replicas === undefined ? 'add' : 'replace', path: '/spec/replicas', value: replicas });
  return ops;
}

/**
 * Scales one workload: pause its ScaledObject (if any), then one JSON patch, then pin its HPA
 * (N > 0). Every step is journaled first. Re-reads and re-decides when the workload moved.
 */
export async function scaleWorkload(
  ctx: FaultContext,
  faultId: string,
  kind: WorkloadKind,
  namespace: string,
  name: string,
  replicas: number,
): Promise<void> {
  const { scaledObject, hpa } = await findAutoscalers(ctx.api, namespace, kind, name);
  // KEDA scales the target to the paused count as soon as it sees the pause: the count to restore
  // is the one read before it.
  const before = scaledObject ? (await ctx.api.readWorkload(kind, namespace, name)).spec?.replicas : undefined;
  if (scaledObject) await pauseScaledObject(ctx, faultId, namespace, scaledObject.metadata.name, replicas);
  await setReplicas(ctx, faultId, kind, namespace, name, replicas, before);
  if (hpa?.metadata?.name && hpa.spec && replicas > 0 && !scaledObject)
    await pinHpa(ctx, faultId, namespace, hpa, replicas);
}

/** KEDA's documented pause (`paused-replicas: N`), before the scale: the ScaledObject owns its HPA. */
async function pauseScaledObject(
  ctx: FaultContext,
  faultId: string,
  namespace: string,
  name: string,
  replicas: number,
): Promise<void> {
  const pause: KedaPauseMutation = { ...baseOf(ctx, faultId), kind: 'keda-pause', namespace, name, replicas };
  await ctx.mutate(pause, () =>
    ctx.api.mergePatchScaledObject(namespace, name, {
      metadata: {
        annotations: {
          ...runAnnotations(ctx.target.runId, faultId, ctx.expiresAt, ctx.now()),
          [kedaPausedReplicas]: String(replicas),
        },
      },
    }),
  );
}

/** One JSON patch guarded by resourceVersion; already ours (a retried apply) is left as it is. */
async function setReplicas(
  ctx: FaultContext,
  faultId: string,
  kind: WorkloadKind,
  namespace: string,
  name: string,
  replicas: number,
  /** The count before a ScaledObject was paused (KEDA may have changed it since). */
  originalBeforePause?: number,
): Promise<void> {
  const { api, target } = ctx;
  await retryOnConflict(async () => {
    const workload = await api.readWorkload(kind, namespace, name);
    const annotations = workload.metadata?.annotations;
    if (annotations?.[annotation.run] === target.runId && annotations[annotation.fault] === faultId) return;
    const original = originalBeforePause ?? workload.spec?.replicas ?? 1;
    const mutation: ScaleMutation = {
      ...baseOf(ctx, faultId),
      kind: 'scale',
      namespace,
      workload: kind,
      name,
      originalReplicas: original,
      replicas,
    };
    const marks = {
      ...runAnnotations(target.runId, faultId, ctx.expiresAt, ctx.now()),
      [annotation.originalReplicas]: String(original),
      [annotation.replicas]: String(replicas),
    };
    await ctx.mutate(mutation, () =>
      api.jsonPatchWorkload(kind, namespace, name, scalePatch(workload, marks, replicas)),
    );
  }, api.retry);
}

/** An HPA fights any count but 0: pinned to N after the scale (the revert, newest first, unpins first). */
async function pinHpa(
  ctx: FaultContext,
  faultId: string,
  namespace: string,
  hpa: HorizontalPodAutoscaler,
  replicas: number,
): Promise<void> {
  const pin: HpaPinMutation = {
    ...baseOf(ctx, faultId),
    kind: 'hpa-pin',
    namespace,
    name: hpa.metadata!.name!,
    originalMinReplicas: hpa.spec!.minReplicas ?? null,
    originalMaxReplicas: hpa.spec!.maxReplicas,
    replicas,
  };
  const original = JSON.stringify({ minReplicas: pin.originalMinReplicas, maxReplicas: pin.originalMaxReplicas });
  await ctx.mutate(pin, () =>
    ctx.api.mergePatchHpa(namespace, pin.name, {
      metadata: {
        annotations: {
          ...runAnnotations(ctx.target.runId, faultId, ctx.expiresAt, ctx.now()),
          [annotation.originalHpa]: original,
        },
      },
      spec: { minReplicas: replicas, maxReplicas: replicas },
    }),
  );
}

async function checkScale(fault: ScaleFault, ctx: CheckContext): Promise<Refusal[]> {
  const workload = await ctx.api.readWorkload(fault.kind, ctx.target.namespace, fault.name);
  return checkWorkloadScale(ctx.api, {
    runId: ctx.target.runId,
    kind: fault.kind,
    namespace: ctx.target.namespace,
    workload,
    replicas: fault.replicas,
    allowDataLoss: fault.allowDataLoss,
    override: 'allowDataLoss: true',
  });
}

async function applyScale(fault: ScaleFault, ctx: FaultContext): Promise<undefined> {
  const refusals = await checkScale(fault, ctx);
  if (refusals.length > 0) throw refusalError(`scale ${fault.kind} ${ctx.target.namespace}/${fault.name}`, refusals);
  await scaleWorkload(ctx, fault.id, fault.kind, ctx.target.namespace, fault.name, fault.replicas);
  return undefined;
}

export const scale: FaultPlugin<ScaleFault, ScaleKindMutation> = {
  type: 'scale',
  plan: (fault, target) => [
    `refuse if ${fault.kind} ${target.namespace}/${fault.name}, its HorizontalPodAutoscaler or its KEDA ScaledObject is held by another chaos run${fault.kind === 'StatefulSet' ? `, or if its persistentVolumeClaimRetentionPolicy.whenScaled is Delete and this scales it down${fault.allowDataLoss ? ' (allowed here: allowDataLoss: true)' : ' (override: allowDataLoss: true)'}` : ''}`,
    `a KEDA ScaledObject targeting it: annotate ${kedaPausedReplicas}: "${fault.replicas}" (KEDA's pause), removed on revert`,
    `record spec.replicas (journal), then ONE JSON patch of apps/v1 ${fault.kind.toLowerCase()}s/${fault.name} in ${target.namespace}: test metadata.resourceVersion, add annotations ${annotation.run}, ${annotation.originalReplicas}, …, replace spec.replicas → ${fault.replicas}`,
    fault.replicas === 0
      ? 'a HorizontalPodAutoscaler targeting it stays inactive at 0 replicas: left alone'
      : `a HorizontalPodAutoscaler targeting it would fight ${fault.replicas} replicas: PATCH its minReplicas = maxReplicas = ${fault.replicas} (merge patch), restored on revert before the replicas`,
    `verify: ${fault.replicas === 0 ? `no ready endpoints of ${fault.name} left in ${target.cluster}` : `${fault.replicas} ready replicas`}`,
    "revert: unpin the HPA, then JSON patch (test spec.replicas is still the fault's value) restoring the recorded count and removing our annotations, then resume the ScaledObject; refuse and report if someone else changed it meanwhile",
  ],
  check: checkScale,
  apply: applyScale,
  verify: (fault, ctx) =>
    waitUntil(
      ctx,
      `${fault.kind} ${ctx.target.namespace}/${fault.name} at ${fault.replicas} replicas in ${ctx.target.cluster}`,
      async () => {
        const replicas = await checkWorkloadReplicas(
          ctx.api,
          fault.kind,
          ctx.target.namespace,
          fault.name,
          fault.replicas,
        );
        if (replicas !== undefined || fault.replicas > 0) return replicas;
        const ready = await countReadyEndpoints(ctx.api, ctx.target.namespace, fault.name);
        return ready ? `${ready} ready endpoint(s) of Service ${fault.name} left` : undefined;
      },
    ),
  revert: (_fault, ctx: KubeContext, applied) => revertMutations(applied, handlers, ctx),
  verifyReverted: async (_fault, ctx, applied) => {
    await verifyMutationsReverted(applied, handlers, ctx);
  },
};
