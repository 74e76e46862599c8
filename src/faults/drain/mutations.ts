/** What the drain kind records before it changes anything (journal and annotations). */
import type { MutationBase } from '../mutation-base.js';
import type { ScaleKindMutation } from '../scale/mutations.js';

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

/** Every mutation a drain records: a namespace drain scales workloads as the scale kind does. */
export type DrainMutation = CordonMutation | EvictMutation | ScaleKindMutation;
