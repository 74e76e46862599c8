/** What the scale kind records before it changes anything (journal and annotations). */
import type { WorkloadKind } from '../../kube/types.js';
import type { MutationBase } from '../mutation-base.js';

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

/** Every mutation the scale kind records. */
export type ScaleKindMutation = ScaleMutation | HpaPinMutation | KedaPauseMutation;
