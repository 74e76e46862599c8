import type { ScaleFault } from '../scenario/types.js';
import type { FaultPlugin } from './fault-plugin.js';

export const scale: FaultPlugin<ScaleFault> = {
  type: 'scale',
  plan: (fault, target) => [
    `record ${fault.kind} ${target.namespace}/${fault.name} spec.replicas (journal + annotation chaos.dev/original-replicas)`,
    `PATCH apps/v1 ${fault.kind.toLowerCase()}s/${fault.name}/scale in ${target.namespace}: spec.replicas → ${fault.replicas} (merge patch)`,
    `verify: ${fault.replicas === 0 ? `no ready endpoints of ${fault.name} left in ${target.cluster}` : `${fault.replicas} ready replicas`}`,
    `revert: restore the recorded replica count; refuse and report if someone else changed it meanwhile`,
  ],
};
