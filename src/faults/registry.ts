/**
 * The explicit registry: one line per fault kind (a folder under faults/). The compiler checks it is
 * complete: every fault type a scenario can name has a plugin, every mutation kind an undo handler.
 */
import type { Fault, FaultType } from '../scenario/types.js';
import type { FaultPlugin, MutationHandler, MutationHandlers } from './fault-plugin.js';
import { handlerOf } from './fault-plugin.js';
import type { Mutation, MutationKind } from './mutation.js';
import { drainKind } from './drain/index.js';
import { istioKind } from './istio/index.js';
import { podKillKind } from './pod-kill/index.js';
import { scaleKind } from './scale/index.js';

const kinds = [scaleKind, istioKind, drainKind, podKillKind] as const;

type Kinds = (typeof kinds)[number];
type Covered<K, Field extends 'faults' | 'handlers'> = K extends { [F in Field]: infer Entries }
  ? keyof Entries
  : never;
/** Fails to compile when a fault type or a mutation kind has no kind to serve it. */
type RegistryComplete = [
  Exclude<FaultType, Covered<Kinds, 'faults'>> | Exclude<MutationKind, Covered<Kinds, 'handlers'>>,
] extends [never]
  ? true
  : never;
true satisfies RegistryComplete;

const registry = Object.assign({}, ...kinds.map((kind) => kind.faults)) as {
  [T in FaultType]: FaultPlugin<Extract<Fault, { type: T }>>;
};

/** Undo of every mutation kind, for `chaos recover`. */
export const mutationHandlers = Object.assign({}, ...kinds.map((kind) => kind.handlers)) as MutationHandlers;

export function pluginFor<F extends Fault>(fault: F): FaultPlugin<F> {
  return registry[fault.type] as unknown as FaultPlugin<F>;
}

export function mutationHandlerFor(mutation: Mutation): MutationHandler {
  return handlerOf(mutationHandlers, mutation);
}
