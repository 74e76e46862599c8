/**
 * A fault kind: one folder under faults/ (scale/, istio/, drain/, pod-kill/) whose index.ts gives
 * the fault types it offers — each its scenario schema, its normalizer and its plugin — and the undo
 * handlers of the mutations they record. The registry (registry.ts) lists the kinds, one line each,
 * and derives from them the scenario's `faults` schema, the `Fault` and `Mutation` unions and the
 * maps the engine uses.
 */
import type { z } from 'zod';
import type { FaultPlugin, FaultRecord, MutationHandler } from './fault-plugin.js';
import type { NormalizeContext } from './fault-schema.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import type { WatchedResource } from '../kube/watch-calls.js';
import type { ConflictNote } from './conflict-mark.js';
import type { MutationRecord } from './mutation-base.js';

/** A zod object whose `type` is one literal: one entry of the scenario's discriminated `faults` union. */
type FaultObjectSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape>;

/** One fault type a scenario can name: how it is written, what it becomes, and what applies it. */
export interface FaultTypeEntry<S extends FaultObjectSchema, F extends FaultRecord, M extends MutationRecord> {
  schema: S;
  normalize(raw: z.output<S>, context: NormalizeContext): F;
  plugin: FaultPlugin<F, M>;
}

export function faultType<S extends FaultObjectSchema, F extends FaultRecord, M extends MutationRecord>(
  schema: S,
  normalize: (raw: z.output<S>, context: NormalizeContext) => F,
  plugin: FaultPlugin<F, M>,
): FaultTypeEntry<S, F, M> {
  return { schema, normalize, plugin };
}

export interface FaultKind {
  types: readonly FaultTypeEntry<FaultObjectSchema, FaultRecord, MutationRecord>[];
  handlers: readonly MutationHandler[];
  /** How `chaos recover` and the guard find the kind's leftovers without a journal. */
  scans: readonly LeftoverScan[];
}

/** A route that looks like ours but carries no annotation: removed only once its run is known. */
export interface Suspect {
  cluster: string;
  runId: string;
  namespace: string;
  virtualService: string;
  routes: string[];
}

/** Where a scan puts what it finds in one cluster. */
export interface LeftoverSink<M extends MutationRecord = MutationRecord> {
  mutations: M[];
  /** Objects marked `chaos.dev/conflict`: a revert found them changed by someone else; a person decides. */
  conflicts: ConflictNote[];
  suspects: Suspect[];
  problems: string[];
}

/** Reads one kind of object of a cluster and rebuilds the mutation records its annotations carry. */
export interface LeftoverScan {
  /** What it lists, for a problem: "could not scan Nodes of central". */
  what: string;
  /** What the guard watches to wake up when such an object changes (a slow resync covers the rest). */
  watches: readonly WatchedResource[];
  scan(api: ClusterApi, result: LeftoverSink): Promise<void>;
}
