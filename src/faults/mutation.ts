/**
 * A mutation is one change a fault makes to one object, recorded *before* it is made with
 * everything needed to undo it. The same record is written to the journal and (in
 * annotation form) onto the object, so a revert needs neither the scenario nor the process
 * that applied it: `chaos recover` rebuilds these records from either source.
 */
import type { IstioConvergence } from '../environment/types.js';
import type { WorkloadKind } from '../kube/types.js';

interface MutationBase {
  runId: string;
  faultId: string;
  cluster: string;
  /** ISO time after which the run that made it is presumed dead (annotation chaos.dev/expires). */
  expiresAt: string;
}

export interface ScaleMutation extends MutationBase {
  kind: 'scale';
  namespace: string;
  workload: WorkloadKind;
  name: string;
  originalReplicas: number;
  replicas: number;
}

/** An HPA pinned to the fault's replica count, so it does not fight the fault. */
export interface HpaPinMutation extends MutationBase {
  kind: 'hpa-pin';
  namespace: string;
  name: string;
  originalMinReplicas: number | null;
  originalMaxReplicas: number;
  replicas: number;
}

/**
 * A KEDA ScaledObject paused at the fault's count (`autoscaling.keda.sh/paused-replicas`), so KEDA
 * does not fight it.
 */
export interface KedaPauseMutation extends MutationBase {
  kind: 'keda-pause';
  namespace: string;
  name: string;
  replicas: number;
}

/** Routes of ours inserted at the head of an existing VirtualService. */
export interface RouteInsertMutation extends MutationBase {
  kind: 'route-insert';
  namespace: string;
  virtualService: string;
  routes: string[];
  /** Digest of the spec without our routes when we inserted them; absent when rebuilt from annotations. */
  baseline?: string;
  /** How the revert learns the data plane dropped our routes; absent (rebuilt from annotations) = settle default. */
  convergence?: IstioConvergence;
}

/** A VirtualService we created because none routed the host. */
export interface VirtualServiceCreateMutation extends MutationBase {
  kind: 'virtualservice-create';
  namespace: string;
  virtualService: string;
  routes: string[];
  convergence?: IstioConvergence;
}

export interface CordonMutation extends MutationBase {
  kind: 'cordon';
  node: string;
}

/** Pods evicted by a drain: nothing to put back; the revert waits for their workloads. */
export interface EvictMutation extends MutationBase {
  kind: 'evict';
  pods: Array<{ namespace: string; name: string }>;
  namespaces: string[];
}

/** Pods deleted by pod-kill: the revert waits until as many matching Pods are ready as before. */
export interface PodDeleteMutation extends MutationBase {
  kind: 'pod-delete';
  namespace: string;
  selector: string;
  pods: string[];
  readyBefore: number;
}

export type Mutation =
  | ScaleMutation
  | HpaPinMutation
  | KedaPauseMutation
  | RouteInsertMutation
  | VirtualServiceCreateMutation
  | CordonMutation
  | EvictMutation
  | PodDeleteMutation;

export type MutationKind = Mutation['kind'];

/** How one mutation's revert ended. Everything but `failed` and `conflict` means "nothing of ours is left". */
export type RevertOutcome =
  | { status: 'reverted'; detail: string; notes?: string[] }
  /** Nothing of ours was there any more (reverted before, never landed, or the object is gone). */
  | { status: 'absent'; detail: string }
  /** Someone else changed what we changed: we did not overwrite it. A human decides. */
  | {
      status: 'conflict';
      detail: string;
      manual: string;
      /** The object carries `chaos.dev/conflict` and none of our other annotations: it is over, never retried. */
      marked?: boolean;
    }
  | { status: 'failed'; detail: string; manual: string };

export function isSettled(outcome: RevertOutcome): boolean {
  return outcome.status === 'reverted' || outcome.status === 'absent';
}

/** One line naming the object, for reports: `scale Deployment bank-of-anthos/frontend in central`. */
export function describeMutation(mutation: Mutation): string {
  const where = `in ${mutation.cluster}`;
  switch (mutation.kind) {
    case 'scale':
      return `scale ${mutation.workload} ${mutation.namespace}/${mutation.name} ${mutation.originalReplicas} → ${mutation.replicas} ${where}`;
    case 'hpa-pin':
      return `pin HorizontalPodAutoscaler ${mutation.namespace}/${mutation.name} to ${mutation.replicas} ${where}`;
    case 'keda-pause':
      return `pause ScaledObject ${mutation.namespace}/${mutation.name} at ${mutation.replicas} ${where}`;
    case 'route-insert':
      return `routes ${mutation.routes.join(', ')} in VirtualService ${mutation.namespace}/${mutation.virtualService} ${where}`;
    case 'virtualservice-create':
      return `VirtualService ${mutation.namespace}/${mutation.virtualService} (created) ${where}`;
    case 'cordon':
      return `cordon Node ${mutation.node} ${where}`;
    case 'evict':
      return `evict ${mutation.pods.length} Pod(s) of ${mutation.namespaces.join(', ') || 'no namespace'} ${where}`;
    case 'pod-delete':
      return `delete Pod(s) ${mutation.pods.join(', ')} (${mutation.selector}) in ${mutation.namespace} ${where}`;
  }
}

/** Identity of the object a mutation touched: two records with one key undo the same thing. */
export function mutationKey(mutation: Mutation): string {
  switch (mutation.kind) {
    case 'scale':
      return `${mutation.cluster}/scale/${mutation.workload}/${mutation.namespace}/${mutation.name}`;
    case 'hpa-pin':
      return `${mutation.cluster}/hpa/${mutation.namespace}/${mutation.name}`;
    case 'keda-pause':
      return `${mutation.cluster}/keda/${mutation.namespace}/${mutation.name}`;
    case 'route-insert':
    case 'virtualservice-create':
      return `${mutation.cluster}/${mutation.kind}/${mutation.namespace}/${mutation.virtualService}/${mutation.routes.join(',')}`;
    case 'cordon':
      return `${mutation.cluster}/cordon/${mutation.node}`;
    case 'evict':
      return `${mutation.cluster}/evict/${mutation.runId}/${mutation.faultId}/${mutation.pods.map((pod) => `${pod.namespace}/${pod.name}`).join(',')}`;
    case 'pod-delete':
      return `${mutation.cluster}/pod-delete/${mutation.namespace}/${mutation.pods.join(',')}`;
  }
}
