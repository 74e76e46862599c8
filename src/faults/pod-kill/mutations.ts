/** What the pod-kill kind records before it changes anything (journal). */
import type { MutationBase } from '../mutation-base.js';

/** Pods deleted by pod-kill: the revert waits until as many matching Pods are ready as before. */
export interface PodDeleteMutation extends MutationBase {
  kind: 'pod-delete';
  namespace: string;
  selector: string;
  pods: string[];
  readyBefore: number;
}
