import type { IstioAbortFault, IstioDelayFault } from '../scenario/types.js';
import type { FaultPlugin, FaultTarget } from './fault-plugin.js';

/** The name of the route we insert: unique per run and fault, so revert removes exactly it. */
export function routeName(runId: string, faultId: string): string {
  return `chaos-${runId}-${faultId}`;
}

/** Shared by istio-delay and istio-abort: both insert a route of our own ahead of the others. */
export function planRouteFault(fault: IstioDelayFault | IstioAbortFault, target: FaultTarget, effect: string): string[] {
  const which = fault.via === 'ingress' ? 'the gateway-bound VirtualService routing' : 'the mesh VirtualService of';
  return [
    `find ${which} host "${fault.host}" in ${target.namespace} (networking.istio.io/v1)`,
    `JSON patch (test metadata.resourceVersion): insert route "${routeName(target.runId, fault.id)}" at spec.http[0], a copy of the matching route with fault ${effect} for ${fault.percentage}% of requests; create a VirtualService if none routes the host`,
    `revert: remove exactly that route (or delete the VirtualService we created); everything else stays byte-identical`,
  ];
}

export const istioDelay: FaultPlugin<IstioDelayFault> = {
  type: 'istio-delay',
  plan: (fault, target) => planRouteFault(fault, target, `delay.fixedDelay ${fault.delayMs}ms`),
};

export const istioAbort: FaultPlugin<IstioAbortFault> = {
  type: 'istio-abort',
  plan: (fault, target) => planRouteFault(fault, target, `abort.httpStatus ${fault.status}`),
};
