import type { Fault, FaultType } from '../scenario/types.js';
import { cordonHandler, drain, evictHandler } from './drain/drain.js';
import type { FaultPlugin, MutationHandler, MutationHandlers } from './fault-plugin.js';
import { handlerOf } from './fault-plugin.js';
import { routeInsertHandler, virtualServiceCreateHandler } from './istio/route-revert.js';
import { istioAbort, istioDelay } from './istio/route.js';
import type { Mutation } from './mutation.js';
import { podDeleteHandler, podKill } from './pod-kill/pod-kill.js';
import { scale } from './scale/scale.js';
import { hpaPinHandler, kedaPauseHandler, scaleHandler } from './scale/handlers.js';

/** The explicit registry: one entry per fault type, checked complete by the compiler. */
const registry: { [T in FaultType]: FaultPlugin<Extract<Fault, { type: T }>> } = {
  scale,
  'istio-delay': istioDelay,
  'istio-abort': istioAbort,
  drain,
  'pod-kill': podKill,
};

/** Undo of every mutation kind, for `chaos recover` (checked complete by the compiler too). */
export const mutationHandlers: MutationHandlers = {
  scale: scaleHandler,
  'hpa-pin': hpaPinHandler,
  'keda-pause': kedaPauseHandler,
  'route-insert': routeInsertHandler,
  'virtualservice-create': virtualServiceCreateHandler,
  cordon: cordonHandler,
  evict: evictHandler,
  'pod-delete': podDeleteHandler,
};

export function pluginFor<F extends Fault>(fault: F): FaultPlugin<F> {
  return registry[fault.type] as unknown as FaultPlugin<F>;
}

export function mutationHandlerFor(mutation: Mutation): MutationHandler {
  return handlerOf(mutationHandlers, mutation);
}
