/**
 * The explicit registry: one line per fault kind (a folder under faults/). Everything the rest of
 * chaos knows of faults is derived from it: the scenario's `faults` schema, the `Fault` and
 * `Mutation` unions, the plugin of each fault type and the undo handler of each mutation kind.
 */
import { z } from 'zod';
import type { FaultPlugin, MutationHandler, MutationHandlers } from './fault-plugin.js';
import { handlerOf } from './fault-plugin.js';
import type { LeftoverScan } from './fault-kind.js';
import type { NormalizeContext } from './fault-schema.js';
import { drainKind } from './drain/index.js';
import { istioKind } from './istio/index.js';
import { podKillKind } from './pod-kill/index.js';
import { scaleKind } from './scale/index.js';

const kinds = [scaleKind, istioKind, drainKind, podKillKind] as const;

type Entry = (typeof kinds)[number]['types'][number];
type Handler = (typeof kinds)[number]['handlers'][number];

/** A normalized fault of any type (the model plan and run consume). */
export type Fault = ReturnType<Entry['normalize']>;
export type FaultType = Fault['type'];
/** A mutation of any kind, as journaled and annotated. */
export type Mutation = Parameters<Handler['revert']>[0];
export type MutationKind = Mutation['kind'];

/** Fails to compile when a fault type may record a mutation kind no kind can undo. */
type RecordedBy<P> = P extends FaultPlugin<infer _F, infer M> ? M['kind'] : never;
type Recorded = RecordedBy<Entry['plugin']>;
type RegistryComplete = [Exclude<Recorded, MutationKind>] extends [never] ? true : never;
true satisfies RegistryComplete;

const entries = kinds.flatMap((kind): readonly Entry[] => kind.types);
const entryByType = new Map<string, Entry>(entries.map((entry) => [entry.schema.shape.type.value, entry]));
const typeNames = entries.map((entry) => entry.schema.shape.type.value);

/** The scenario file's fault entry: one object per fault type, told apart by `type`. */
export const faultSchema = z.discriminatedUnion(
  'type',
  entries.map((entry) => entry.schema) as unknown as [Entry['schema'], ...Entry['schema'][]],
  { error: `expected a fault type: ${typeNames.slice(0, -1).join(', ')} or ${typeNames.at(-1)}` },
);
export type RawFault = z.output<typeof faultSchema>;

/** A valid raw fault in the model plan and run consume; problems the schema cannot see go to `context.report`. */
export function normalizeFault(raw: RawFault, context: NormalizeContext): Fault {
  const entry = entryByType.get(raw.type)!;
  return entry.normalize(raw as never, context) as Fault;
}

/** Every kind's scan for leftovers, for `chaos recover` and the guard. */
export const leftoverScans = kinds.flatMap((kind): readonly LeftoverScan[] => kind.scans);

/** Undo of every mutation kind, for `chaos recover`. */
const mutationHandlers: MutationHandlers = Object.fromEntries(
  kinds.flatMap((kind): readonly MutationHandler[] => kind.handlers).map((handler) => [handler.kind, handler]),
);

export function pluginFor<F extends Fault>(fault: F): FaultPlugin<F, Mutation> {
  return entryByType.get(fault.type)!.plugin as unknown as FaultPlugin<F, Mutation>;
}

export function mutationHandlerFor<M extends Mutation>(mutation: M): MutationHandler<M> {
  return handlerOf(mutationHandlers, mutation);
}
