/**
 * The undo records of `scale` and of the autoscalers it holds still: how each mutation is
 * applied, reverted, verified and described for a person (`kubectl …`). Each write is one JSON
 * patch guarded by resourceVersion; a revert that finds the object changed by someone else
 * reports a conflict and leaves it alone.
 */
import { isNotFound } from '../../kube/api-error.js';
import { retryOnConflict } from '../../kube/retry.js';
import type { HorizontalPodAutoscaler, WorkloadKind } from '../../kube/types.js';
import {
  annotation,
  annotationRemovalOps,
  annotationRemovalPatch,
  kedaPausedReplicas,
  manualAnnotationRemoval,
} from '../annotations.js';
import type { MutationHandler } from '../fault-plugin.js';
import type { RevertOutcome } from '../mutation-base.js';
import type { HpaPinMutation, KedaPauseMutation, ScaleMutation } from './mutations.js';
import { checkWorkloadReplicas } from '../readiness.js';
import { kubectl, waitUntil } from '../wait.js';

const resourceName = (kind: WorkloadKind): string => `${kind.toLowerCase()}/`;

export const scaleHandler: MutationHandler<ScaleMutation> = {
  kind: 'scale',
  check: (mutation, context) =>
    `kubectl --context ${context} -n ${mutation.namespace} get ${mutation.workload.toLowerCase()} ${mutation.name}`,
  markObject: (mutation, api, patch) =>
    api.mergePatchWorkload(mutation.workload, mutation.namespace, mutation.name, patch),
  describe: (mutation) =>
    `scale ${mutation.workload} ${mutation.namespace}/${mutation.name} ${mutation.originalReplicas} → ${mutation.replicas} in ${mutation.cluster}`,
  key: (mutation) => `${mutation.cluster}/scale/${mutation.workload}/${mutation.namespace}/${mutation.name}`,
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
  check: (mutation, context) => `kubectl --context ${context} -n ${mutation.namespace} get hpa ${mutation.name}`,
  markObject: (mutation, api, patch) => api.mergePatchHpa(mutation.namespace, mutation.name, patch),
  describe: (mutation) =>
    `pin HorizontalPodAutoscaler ${mutation.namespace}/${mutation.name} to ${mutation.replicas} in ${mutation.cluster}`,
  key: (mutation) => `${mutation.cluster}/hpa/${mutation.namespace}/${mutation.name}`,
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
  check: (mutation, context) =>
    `kubectl --context ${context} -n ${mutation.namespace} get scaledobject ${mutation.name} -o yaml`,
  markObject: (mutation, api, patch) => api.mergePatchScaledObject(mutation.namespace, mutation.name, patch),
  describe: (mutation) =>
    `pause ScaledObject ${mutation.namespace}/${mutation.name} at ${mutation.replicas} in ${mutation.cluster}`,
  key: (mutation) => `${mutation.cluster}/keda/${mutation.namespace}/${mutation.name}`,
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
