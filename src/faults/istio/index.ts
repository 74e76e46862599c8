/** The Istio kind: `istio-delay` and `istio-abort`, routes of ours at the head of a VirtualService. */
import { faultType, type FaultKind } from '../fault-kind.js';
import { istioScans } from './scan.js';
import { istioAbort, istioDelay } from './route.js';
import { routeInsertHandler, virtualServiceCreateHandler } from './route-revert.js';
import { istioAbortFault, istioDelayFault, normalizeIstioAbort, normalizeIstioDelay } from './schema.js';

export const istioKind = {
  types: [
    faultType(istioDelayFault, normalizeIstioDelay, istioDelay),
    faultType(istioAbortFault, normalizeIstioAbort, istioAbort),
  ],
  handlers: [routeInsertHandler, virtualServiceCreateHandler],
  scans: istioScans,
} as const satisfies FaultKind;
