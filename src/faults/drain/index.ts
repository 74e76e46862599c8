/** The `drain` kind: a cluster's Nodes cordoned and its Pods evicted, or some namespaces emptied. */
import { faultType, type FaultKind } from '../fault-kind.js';
import { drainScans } from './scan.js';
import { drain } from './drain.js';
import { cordonHandler, evictHandler } from './handlers.js';
import { drainFault, normalizeDrain } from './schema.js';

export const drainKind = {
  types: [faultType(drainFault, normalizeDrain, drain)],
  handlers: [cordonHandler, evictHandler],
  scans: drainScans,
} as const satisfies FaultKind;
