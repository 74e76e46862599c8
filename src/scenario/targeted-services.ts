/**
 * The services a scenario targets, by name (= the workload and its `app` label in Bank of
 * Anthos and most Helm charts): what parity is checked on before a run.
 */
import type { Scenario } from './types.js';

export function targetedServices(scenario: Scenario): string[] {
  const names = new Set<string>();
  for (const phase of scenario.phases)
    for (const fault of phase.faults) {
      switch (fault.type) {
        case 'scale':
          names.add(fault.name);
          break;
        case 'istio-delay':
        case 'istio-abort':
          names.add(fault.host);
          break;
        case 'pod-kill':
          if (fault.selector.app) names.add(fault.selector.app);
          break;
        // A whole cluster, or the mesh's own components (istio-system): no service of the app is named.
        case 'drain':
        case 'control-plane':
        case 'east-west-gateway':
          break;
        default:
          // A new fault type does not compile until it says which services it targets.
          fault satisfies never;
      }
    }
  return [...names].sort();
}
