import type { Fault, FaultType } from '../scenario/types.js';
import { drain } from './drain.js';
import type { FaultPlugin } from './fault-plugin.js';
import { istioAbort, istioDelay } from './istio-route.js';
import { podKill } from './pod-kill.js';
import { scale } from './scale.js';

/** The explicit registry: one entry per fault type, checked complete by the compiler. */
const registry: { [T in FaultType]: FaultPlugin<Extract<Fault, { type: T }>> } = {
  scale,
  'istio-delay': istioDelay,
  'istio-abort': istioAbort,
  drain,
  'pod-kill': podKill,
};

export function pluginFor<F extends Fault>(fault: F): FaultPlugin<F> {
  return registry[fault.type] as unknown as FaultPlugin<F>;
}
