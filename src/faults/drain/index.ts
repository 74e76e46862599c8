/** The `drain` kind: a cluster's Nodes cordoned and its Pods evicted, or some namespaces emptied. */
import type { FaultKind } from '../fault-kind.js';
import type { CordonMutation, EvictMutation } from '../mutation.js';
import type { DrainFault } from '../../scenario/types.js';
import { drain } from './drain.js';
import { cordonHandler, evictHandler } from './handlers.js';

export const drainKind: FaultKind<DrainFault, CordonMutation | EvictMutation> = {
  faults: { drain },
  handlers: { cordon: cordonHandler, evict: evictHandler },
};
