/** The `pod-kill` kind: matching Pods deleted, once or at an interval. */
import type { FaultKind } from '../fault-kind.js';
import type { PodDeleteMutation } from '../mutation.js';
import type { PodKillFault } from '../../scenario/types.js';
import { podDeleteHandler, podKill } from './pod-kill.js';

export const podKillKind: FaultKind<PodKillFault, PodDeleteMutation> = {
  faults: { 'pod-kill': podKill },
  handlers: { 'pod-delete': podDeleteHandler },
};
