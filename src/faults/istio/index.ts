/** The Istio kind: `istio-delay` and `istio-abort`, routes of ours at the head of a VirtualService. */
import type { FaultKind } from '../fault-kind.js';
import type { RouteInsertMutation, VirtualServiceCreateMutation } from '../mutation.js';
import type { IstioAbortFault, IstioDelayFault } from '../../scenario/types.js';
import { istioAbort, istioDelay } from './route.js';
import { routeInsertHandler, virtualServiceCreateHandler } from './route-revert.js';

export const istioKind: FaultKind<
  IstioDelayFault | IstioAbortFault,
  RouteInsertMutation | VirtualServiceCreateMutation
> = {
  faults: { 'istio-delay': istioDelay, 'istio-abort': istioAbort },
  handlers: { 'route-insert': routeInsertHandler, 'virtualservice-create': virtualServiceCreateHandler },
};
