/**
 * A fault kind: one folder under faults/ (scale/, istio/, drain/, pod-kill/) whose index.ts gives the
 * plugins of the fault types it offers and the undo handlers of the mutations they make. The registry
 * (registry.ts) lists the kinds, one line each.
 */
import type { Fault } from '../scenario/types.js';
import type { FaultPlugin, MutationHandler } from './fault-plugin.js';
import type { Mutation } from './mutation.js';

export interface FaultKind<F extends Fault, M extends Mutation> {
  /** One plugin per fault type of the kind, keyed by the type a scenario writes. */
  faults: { [T in F['type']]: FaultPlugin<Extract<F, { type: T }>> };
  /** One undo handler per mutation kind the kind's faults record (revert, verify, `chaos recover`). */
  handlers: { [K in M['kind']]: MutationHandler<Extract<M, { kind: K }>> };
}
