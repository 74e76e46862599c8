import type { PodKillFault } from '../scenario/types.js';
import type { FaultPlugin } from './fault-plugin.js';

export function formatSelector(selector: Record<string, string>): string {
  return Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',');
}

export const podKill: FaultPlugin<PodKillFault> = {
  type: 'pod-kill',
  plan: (fault, target) => {
    const amount = fault.amount.kind === 'count' ? `${fault.amount.count} Pod(s)` : `${fault.amount.percentage}% of the Pods`;
    const when = fault.intervalMs ? `every ${fault.intervalMs}ms during the phase` : 'once';
    return [
      `DELETE ${amount} matching ${formatSelector(fault.selector)} in ${target.namespace}, ${when}`,
      'revert: wait until replacements are ready',
    ];
  },
};
