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
import { refusalError } from './refusal.js';
import { isNotFound } from '../kube/api-error.js';
import { retryOnConflict } from '../kube/retry.js';
import type { ScaledObject } from '../kube/keda-calls.js';
import type { Deployment, HorizontalPodAutoscaler, JsonPatchOp, StatefulSet, WorkloadKind } from '../kube/types.js';
import { escapePointer } from '../kube/types.js';
import type { ScaleFault } from '../scenario/types.js';
import {
  annotation,
  annotationRemovalOps,
  annotationRemovalPatch,
  kedaPausedReplicas,
  manualAnnotationRemoval,
  runAnnotations,
} from './annotations.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import type { CheckContext, FaultContext, FaultPlugin, KubeContext, MutationHandler, Refusal } from './fault-plugin.js';
import type { HpaPinMutation, KedaPauseMutation, RevertOutcome, ScaleMutation } from './mutation.js';
import { checkWorkloadReplicas, countReadyEndpoints } from './readiness.js';
import { kubectl, revertMutations, verifyMutationsReverted, waitUntil } from './wait.js';

const resourceName = (kind: WorkloadKind): string => `${kind.toLowerCase()}/`;

export const scaleHandler: MutationHandler<ScaleMutation> = {
  kind: 'scale',
  revert: (mutation, ctx) =>
    retryOnConflict(async (): Promise<RevertOutcome> => {
      const { api } = ctx;
      const { workload: kind, namespace, name } = mutation;
      let workload;
      try {
        workload = await api.readWorkload(kind, namespace, name);
      } catch (error) {
        if (isNotFound(error)) return { status: 'absent', detail: `${kind} ${namespace}/${name} no longer exists` };
        throw error;
      }
      const annotations = workload.metadata?.annotations;
      const current = workload.spec?.replicas ?? 1;
      const ours =
        annotations?.[annotation.run] === mutation.runId && annotations[annotation.fault] === mutation.faultId;
      if (!ours) {
        // Without our annotation, we restored it already (restore and unannotate are one patch) or never got that far.
        if (current === mutation.replicas && current !== mutation.originalReplicas) {
          return {
            status: 'conflict',
            detail: `${kind} ${namespace}/${name} has ${current} replicas (the fault's value) but no longer carries our annotations: not touching it`,
            manual: scaleManual(mutation, ctx.api.context),
          };
        }
        return {
          status: 'absent',
          detail: `${kind} ${namespace}/${name} carries no annotation of run ${mutation.runId}`,
        };
      }
      if (current !== mutation.originalReplicas && current !== mutation.replicas) {
        return {
          status: 'conflict',
          detail: `${kind} ${namespace}/${name} was changed by someone else meanwhile: ${current} replicas (we set ${mutation.replicas}, it was ${mutation.originalReplicas}); left as is`,
          manual: scaleManual(mutation, ctx.api.context),
        };
      }
      // One atomic patch: only if replicas is still what we read (status churn does not matter,
      // unlike a resourceVersion precondition), restore it and drop our annotations together.
      await api.jsonPatchWorkload(kind, namespace, name, [
        { op: 'test', path: '/spec/replicas', value: current },
        { op: 'replace', path: '/spec/replicas', value: mutation.originalReplicas },
        ...annotationRemovalOps(annotations),
      ]);
      return {
        status: 'reverted',
        detail: `${kind} ${namespace}/${name} back to ${mutation.originalReplicas} replicas`,
      };
    }, ctx.api.retry),
  verifyReverted: (mutation, ctx) =>
    waitUntil(
      ctx,
      `${mutation.workload} ${mutation.namespace}/${mutation.name} to have ${mutation.originalReplicas} ready replicas in ${mutation.cluster}`,
      () =>
        checkWorkloadReplicas(ctx.api, mutation.workload, mutation.namespace, mutation.name, mutation.originalReplicas),
    ),
  manual: (mutation, context) => scaleManual(mutation, context),
};

function scaleManual(mutation: ScaleMutation, context: string): string {
  const ref = `${resourceName(mutation.workload)}${mutation.name}`;
  return `${kubectl(context, mutation.namespace)} scale ${ref} --replicas=${mutation.originalReplicas} && ${manualAnnotationRemoval(`${kubectl(context, mutation.namespace)} annotate ${ref}`, undefined)} ${annotation.originalReplicas}- ${annotation.replicas}-`;
}

export const hpaPinHandler: MutationHandler<HpaPinMutation> = {
  kind: 'hpa-pin',
  revert: (mutation, ctx) =>
    retryOnConflict(async () => {
      let hpa: HorizontalPodAutoscaler | undefined;
      try {
        hpa = (await ctx.api.listHpas(mutation.namespace)).find(
          (candidate) => candidate.metadata?.name === mutation.name,
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      if (!hpa)
        return {
          status: 'absent',
          detail: `HorizontalPodAutoscaler ${mutation.namespace}/${mutation.name} no longer exists`,
        };
      const annotations = hpa.metadata?.annotations;
      if (annotations?.[annotation.run] !== mutation.runId)
        return {
          status: 'absent',
          detail: `HorizontalPodAutoscaler ${mutation.namespace}/${mutation.name} carries no annotation of run ${mutation.runId}`,
        };
      const pinned = hpa.spec?.minReplicas === mutation.replicas && hpa.spec?.maxReplicas === mutation.replicas;
      if (!pinned) {
        return {
          status: 'conflict',
          detail: `HorizontalPodAutoscaler ${mutation.namespace}/${mutation.name} was changed by someone else meanwhile (min ${hpa.spec?.minReplicas}, max ${hpa.spec?.maxReplicas}); left as is`,
          manual: hpaManual(mutation, ctx.api.context),
        };
      }
      const removal = annotationRemovalPatch(annotations);
      await ctx.api.mergePatchHpa(mutation.namespace, mutation.name, {
        ...removal,
        spec: { minReplicas: mutation.originalMinReplicas, maxReplicas: mutation.originalMaxReplicas },
      });
      return {
        status: 'reverted',
        detail: `HorizontalPodAutoscaler ${mutation.namespace}/${mutation.name} back to min ${mutation.originalMinReplicas ?? 'default'}, max ${mutation.originalMaxReplicas}`,
      };
    }, ctx.api.retry),
  verifyReverted: async () => undefined,
  manual: (mutation, context) => hpaManual(mutation, context),
};

function hpaManual(mutation: HpaPinMutation, context: string): string {
  const patch = JSON.stringify({
    spec: { minReplicas: mutation.originalMinReplicas, maxReplicas: mutation.originalMaxReplicas },
  });
  return `${kubectl(context, mutation.namespace)} patch hpa/${mutation.name} --type=merge -p '${patch}' && ${manualAnnotationRemoval(`${kubectl(context, mutation.namespace)} annotate hpa/${mutation.name}`, undefined)} ${annotation.originalHpa}-`;
}

export const kedaPauseHandler: MutationHandler<KedaPauseMutation> = {
  kind: 'keda-pause',
  revert: (mutation, ctx) =>
    retryOnConflict(async (): Promise<RevertOutcome> => {
      const found = (await ctx.api.listScaledObjects(mutation.namespace)).find(
        (candidate) => candidate.metadata.name === mutation.name,
      );
      if (!found)
        return { status: 'absent', detail: `ScaledObject ${mutation.namespace}/${mutation.name} no longer exists` };
      const annotations = found.metadata.annotations;
      if (annotations?.[annotation.run] !== mutation.runId)
        return {
          status: 'absent',
          detail: `ScaledObject ${mutation.namespace}/${mutation.name} carries no annotation of run ${mutation.runId}`,
        };
      if (annotations[kedaPausedReplicas] !== String(mutation.replicas)) {
        return {
          status: 'conflict',
          detail: `ScaledObject ${mutation.namespace}/${mutation.name} was re-paused by someone else meanwhile (${kedaPausedReplicas}=${annotations[kedaPausedReplicas] ?? 'none'}); left as is`,
          manual: kedaManual(mutation, ctx.api.context),
        };
      }
      const keys = Object.keys(annotations);
      const dropped = keys.filter((key) => key === kedaPausedReplicas || isOurs(key));
      await ctx.api.mergePatchScaledObject(mutation.namespace, mutation.name, {
        metadata: {
          annotations: dropped.length === keys.length ? null : Object.fromEntries(dropped.map((key) => [key, null])),
        },
      });
      return {
        status: 'reverted',
        detail: `ScaledObject ${mutation.namespace}/${mutation.name} resumed (KEDA scales it again)`,
      };
    }, ctx.api.retry),
  verifyReverted: async () => undefined,
  manual: (mutation, context) => kedaManual(mutation, context),
};

function isOurs(key: string): boolean {
  return Object.values(annotation).includes(key as never);
}

function kedaManual(mutation: KedaPauseMutation, context: string): string {
  return `${manualAnnotationRemoval(`${kubectl(context, mutation.namespace)} annotate scaledobject/${mutation.name}`, undefined)} ${kedaPausedReplicas}-`;
}

const handlers = { scale: scaleHandler, 'hpa-pin': hpaPinHandler, 'keda-pause': kedaPauseHandler };

/** What scales a workload besides its own spec: a KEDA ScaledObject and/or an HPA targeting it. */
export interface Autoscalers {
  scaledObject?: ScaledObject;
  /** A plain HPA (not KEDA's own, which pausing the ScaledObject takes care of). */
  hpa?: HorizontalPodAutoscaler;
}

export async function findAutoscalers(
  api: ClusterApi,
  namespace: string,
  kind: WorkloadKind,
  name: string,
): Promise<Autoscalers> {
  const scaledObject = (await api.listScaledObjects(namespace)).find(
    (candidate) =>
      (candidate.spec?.scaleTargetRef?.kind ?? 'Deployment') === kind && candidate.spec?.scaleTargetRef?.name === name,
  );
  const hpa = (await api.listHpas(namespace)).find(
    (candidate) =>
      candidate.spec?.scaleTargetRef.kind === kind &&
      candidate.spec.scaleTargetRef.name === name &&
      !(candidate.metadata?.ownerReferences ?? []).some((owner) => owner.kind === 'ScaledObject'),
  );
  return { scaledObject, hpa };
}

/**
 * Why this workload must not be scaled to `replicas` as written: volumes deleted by a
 * scale-down, or another run's hold on it or on its autoscalers. `override` names the scenario field.
 */
export async function checkWorkloadScale(
  api: ClusterApi,
  options: {
    runId: string;
    kind: WorkloadKind;
    namespace: string;
    workload: Deployment | StatefulSet;
    replicas: number;
    allowDataLoss: boolean;
    /** The scenario field that allows data loss, e.g. `allowDataLoss: true`. */
    override: string;
  },
): Promise<Refusal[]> {
  const { kind, namespace, workload, replicas } = options;
  const name = workload.metadata?.name ?? '';
  const where = `in ${api.cluster}`;
  const object = `${kind} ${namespace}/${name} ${where}`;
  const refusals: Refusal[] = [];
  const holder = workload.metadata?.annotations?.[annotation.run];
  if (holder && holder !== options.runId) {
    refusals.push({
      object,
      reason: `already changed by chaos run ${holder} (fault ${workload.metadata?.annotations?.[annotation.fault] ?? '?'}); a run died without reverting: \`chaos recover\` puts it back`,
    });
  }
  const current = workload.spec?.replicas ?? 1;
  const retention = (workload.spec as StatefulSet['spec'])?.persistentVolumeClaimRetentionPolicy?.whenScaled;
  if (kind === 'StatefulSet' && replicas < current && retention === 'Delete' && !options.allowDataLoss) {
    refusals.push({
      object,
      reason: `persistentVolumeClaimRetentionPolicy.whenScaled is Delete: scaling ${current} → ${replicas} deletes the PersistentVolumeClaims of the removed Pods, which the revert cannot bring back`,
      override: options.override,
    });
  }
  const { scaledObject, hpa } = await findAutoscalers(api, namespace, kind, name);
  const hpaHolder = hpa?.metadata?.annotations?.[annotation.run];
  if (hpa && replicas > 0 && hpaHolder && hpaHolder !== options.runId) {
    refusals.push({
      object: `HorizontalPodAutoscaler ${namespace}/${hpa.metadata?.name ?? '?'} ${where}`,
      reason: `already pinned by chaos run ${hpaHolder}: its min/max now are that run's pin, not the original; \`chaos recover\` puts it back`,
    });
  }
  const paused = scaledObject?.metadata.annotations?.[kedaPausedReplicas];
  if (scaledObject && paused !== undefined) {
    const by = scaledObject.metadata.annotations?.[annotation.run];
    refusals.push({
      object: `ScaledObject ${namespace}/${scaledObject.metadata.name} ${where}`,
      reason: `already paused at ${paused} replicas${by ? ` by chaos run ${by}` : ' by someone else'} (${kedaPausedReplicas}): not ours to resume`,
    });
  }
  return refusals;
}

/** Base fields of a mutation record for this fault in this cluster. */
function baseOf(
  ctx: FaultContext,
  faultId: string,
): { runId: string; faultId: string; cluster: string; expiresAt: string } {
  return { runId: ctx.target.runId, faultId, cluster: ctx.target.cluster, expiresAt: ctx.expiresAt };
}

/** JSON patch: test resourceVersion, add our annotations, set replicas — one write, all or nothing. */
export function scalePatch(
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
  const { api, target } = ctx;
  const { scaledObject, hpa } = await findAutoscalers(api, namespace, kind, name);
  if (scaledObject) {
    const pause: KedaPauseMutation = {
      ...baseOf(ctx, faultId),
      kind: 'keda-pause',
      namespace,
      name: scaledObject.metadata.name,
      replicas,
    };
    await ctx.mutate(pause, () =>
      api.mergePatchScaledObject(namespace, pause.name, {
        metadata: {
          annotations: {
            ...runAnnotations(target.runId, faultId, ctx.expiresAt),
            [kedaPausedReplicas]: String(replicas),
          },
        },
      }),
    );
  }
  await retryOnConflict(async () => {
    const workload = await api.readWorkload(kind, namespace, name);
    const annotations = workload.metadata?.annotations;
    if (annotations?.[annotation.run] === target.runId && annotations[annotation.fault] === faultId) return;
    const original = workload.spec?.replicas ?? 1;
    const mutation: ScaleMutation = {
      ...baseOf(ctx, faultId),
      kind: 'scale',
      namespace,
      workload: kind,
      name,
      originalReplicas: original,
      replicas,
    };
    await ctx.mutate(mutation, () =>
      api.jsonPatchWorkload(
        kind,
        namespace,
        name,
        scalePatch(
          workload,
          {
            ...runAnnotations(target.runId, faultId, ctx.expiresAt),
            [annotation.originalReplicas]: String(original),
            [annotation.replicas]: String(replicas),
          },
          replicas,
        ),
      ),
    );
  }, api.retry);
  if (hpa?.metadata?.name && hpa.spec && replicas > 0 && !scaledObject) {
    const pin: HpaPinMutation = {
      ...baseOf(ctx, faultId),
      kind: 'hpa-pin',
      namespace,
      name: hpa.metadata.name,
      originalMinReplicas: hpa.spec.minReplicas ?? null,
      originalMaxReplicas: hpa.spec.maxReplicas,
      replicas,
    };
    const original = JSON.stringify({ minReplicas: pin.originalMinReplicas, maxReplicas: pin.originalMaxReplicas });
    await ctx.mutate(pin, () =>
      api.mergePatchHpa(namespace, pin.name, {
        metadata: {
          annotations: { ...runAnnotations(target.runId, faultId, ctx.expiresAt), [annotation.originalHpa]: original },
        },
        spec: { minReplicas: replicas, maxReplicas: replicas },
      }),
    );
  }
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

export const scale: FaultPlugin<ScaleFault> = {
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
