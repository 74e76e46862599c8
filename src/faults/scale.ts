/**
 * `scale`: a Deployment or StatefulSet to N replicas through the scale subresource. The
 * original count goes to the journal and onto the workload (annotations) first; the revert
 * restores exactly it, unless someone else changed the count meanwhile — then it reports a
 * conflict and leaves their value alone. An HPA targeting the workload is inactive at 0
 * replicas (nothing to do) but fights any other count, so for N > 0 it is pinned to N.
 */
import { HarnessError } from '../errors/errors.js';
import { isNotFound } from '../kube/api-error.js';
import { retryOnConflict } from '../kube/retry.js';
import type { HorizontalPodAutoscaler, WorkloadKind } from '../kube/types.js';
import type { ScaleFault } from '../scenario/types.js';
import {
  annotation,
  annotationRemovalOps,
  annotationRemovalPatch,
  manualAnnotationRemoval,
  runAnnotations,
} from './annotations.js';
import type { FaultContext, FaultPlugin, KubeContext, MutationHandler } from './fault-plugin.js';
import type { HpaPinMutation, RevertOutcome, ScaleMutation } from './mutation.js';
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

const handlers = { scale: scaleHandler, 'hpa-pin': hpaPinHandler };

async function findHpa(ctx: FaultContext, fault: ScaleFault): Promise<HorizontalPodAutoscaler | undefined> {
  const hpas = await ctx.api.listHpas(ctx.target.namespace);
  return hpas.find(
    (hpa) => hpa.spec?.scaleTargetRef.kind === fault.kind && hpa.spec.scaleTargetRef.name === fault.name,
  );
}

async function applyScale(fault: ScaleFault, ctx: FaultContext): Promise<undefined> {
  const { api, target } = ctx;
  const namespace = target.namespace;
  const workload = await api.readWorkload(fault.kind, namespace, fault.name);
  const holder = workload.metadata?.annotations?.[annotation.run];
  if (holder) {
    throw new HarnessError(
      `${fault.kind} ${namespace}/${fault.name} in ${target.cluster} is already changed by chaos run ${holder} (fault ${workload.metadata?.annotations?.[annotation.fault] ?? '?'})`,
      'a run died without reverting: `chaos recover` puts it back',
    );
  }
  const original = (await api.readScale(fault.kind, namespace, fault.name)).spec?.replicas ?? 0;
  const base = { runId: target.runId, faultId: fault.id, cluster: target.cluster, expiresAt: ctx.expiresAt };
  const hpa = fault.replicas > 0 ? await findHpa(ctx, fault) : undefined;
  if (hpa?.metadata?.name && hpa.spec) {
    const pin: HpaPinMutation = {
      ...base,
      kind: 'hpa-pin',
      namespace,
      name: hpa.metadata.name,
      originalMinReplicas: hpa.spec.minReplicas ?? null,
      originalMaxReplicas: hpa.spec.maxReplicas,
      replicas: fault.replicas,
    };
    const original = JSON.stringify({ minReplicas: pin.originalMinReplicas, maxReplicas: pin.originalMaxReplicas });
    await ctx.mutate(pin, () =>
      api.mergePatchHpa(namespace, pin.name, {
        metadata: {
          annotations: { ...runAnnotations(target.runId, fault.id, ctx.expiresAt), [annotation.originalHpa]: original },
        },
        spec: { minReplicas: fault.replicas, maxReplicas: fault.replicas },
      }),
    );
  }
  const mutation: ScaleMutation = {
    ...base,
    kind: 'scale',
    namespace,
    workload: fault.kind,
    name: fault.name,
    originalReplicas: original,
    replicas: fault.replicas,
  };
  await ctx.mutate(mutation, async () => {
    // Annotate first: if we die between the two calls, recover finds an annotation whose original
    // equals the current count.
    await api.mergePatchWorkload(fault.kind, namespace, fault.name, {
      metadata: {
        annotations: {
          ...runAnnotations(target.runId, fault.id, ctx.expiresAt),
          [annotation.originalReplicas]: String(original),
          [annotation.replicas]: String(fault.replicas),
        },
      },
    });
    await api.patchScale(fault.kind, namespace, fault.name, fault.replicas);
  });
  return undefined;
}

export const scale: FaultPlugin<ScaleFault> = {
  type: 'scale',
  plan: (fault, target) => [
    `record ${fault.kind} ${target.namespace}/${fault.name} spec.replicas (journal + annotation ${annotation.originalReplicas})`,
    `PATCH apps/v1 ${fault.kind.toLowerCase()}s/${fault.name}/scale in ${target.namespace}: spec.replicas → ${fault.replicas} (merge patch)`,
    fault.replicas === 0
      ? 'a HorizontalPodAutoscaler targeting it stays inactive at 0 replicas: left alone'
      : `a HorizontalPodAutoscaler targeting it would fight ${fault.replicas} replicas: PATCH its minReplicas = maxReplicas = ${fault.replicas} (merge patch), restored on revert`,
    `verify: ${fault.replicas === 0 ? `no ready endpoints of ${fault.name} left in ${target.cluster}` : `${fault.replicas} ready replicas`}`,
    "revert: JSON patch (test spec.replicas is still the fault's value) restoring the recorded count and removing our annotations; refuse and report if someone else changed it meanwhile",
  ],
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
