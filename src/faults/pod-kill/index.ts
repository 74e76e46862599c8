/** The `pod-kill` kind: matching Pods deleted, once or at an interval. */
import { faultType, type FaultKind } from '../fault-kind.js';
import { podDeleteHandler, podKill } from './pod-kill.js';
import { normalizePodKill, podKillFault } from './schema.js';

export const podKillKind = {
  types: [faultType(podKillFault, normalizePodKill, podKill)],
  handlers: [podDeleteHandler],
  // Deleted Pods carry no mark: their leftovers are known from the journal only.
  scans: [],
} as const satisfies FaultKind;
