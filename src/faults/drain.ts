import type { DrainFault } from '../scenario/types.js';
import type { FaultPlugin } from './fault-plugin.js';

export const drain: FaultPlugin<DrainFault> = {
  type: 'drain',
  plan: (fault) => [
    'cordon every schedulable Node (PATCH spec.unschedulable=true; record the Nodes already unschedulable)',
    `evict ${fault.namespaces ? `the Pods of ${fault.namespaces.join(', ')}` : 'every Pod'} through policy/v1 Eviction, retrying on 429 from a PodDisruptionBudget; skip DaemonSet and mirror Pods`,
    'revert: uncordon only the Nodes we cordoned, then wait until the workloads are ready again',
  ],
};
