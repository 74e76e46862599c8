/**
 * One interface for every fault type; one file per type; one explicit registry (registry.ts).
 *
 * A fault's life: `plan` (text for `chaos plan`, touches nothing) → `apply` (every change goes
 * through `ctx.mutate`, which journals the undo record durably *before* the API call) →
 * `verify` (waits, bounded, until the effect is observable) → `revert` (undoes the recorded
 * mutations, newest first, never overwriting someone else's change) → `verifyReverted`.
 *
 * Undo lives in the mutation handlers (`mutations`), not in the fault: a revert needs only
 * the recorded mutations, so `chaos recover` can undo a run whose scenario and process are gone.
 *
 * To add a fault: write `<type>.ts` exporting a FaultPlugin (and handlers for any new
 * mutation kind in mutation.ts), add it to the registry map, add its entry to the scenario
 * schema, and a test in test/faults/ that runs against both servers.
 */
import type { ClusterApi } from '../kube/cluster-api.js';
import type { Fault } from '../scenario/types.js';
import type { Mutation, MutationKind, RevertOutcome } from './mutation.js';

/** Where one fault lands: one cluster of the environment. */
export interface FaultTarget {
  cluster: string;
  context: string;
  /** The fault's namespace, defaulted to the environment's app namespace. */
  namespace: string;
  /** Names our own objects and annotations, e.g. a VirtualService route `chaos-<runId>-<faultId>`. */
  runId: string;
}

/** Bounds of every wait a fault does. Counts and times: nothing waits forever. */
export interface FaultTiming {
  verifyTimeoutMs: number;
  pollIntervalMs: number;
  /** Pause before retrying an eviction a PodDisruptionBudget refused (kubectl uses 5 s). */
  evictionRetryMs: number;
}

/** What a fault (or a mutation handler) may use: the cluster's API, the clock, and its bounds. */
export interface KubeContext {
  api: ClusterApi;
  timing: FaultTiming;
  /** Aborted when everything is being reverted: stop waiting, start nothing new. */
  signal: AbortSignal;
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number): Promise<void>;
}

export interface FaultContext extends KubeContext {
  target: FaultTarget;
  /** ISO time stamped on annotations: after it, recover may assume this run is dead. */
  expiresAt: string;
  /**
   * The only way to change the cluster: journals `mutation` (flushed) before running `change`,
   * then journals the result. Throws without calling `change` once the session is reverting.
   */
  mutate<T>(mutation: Mutation, change: () => Promise<T>): Promise<T>;
  /** Uniform in [0, 1): which Pods to kill. Injectable so tests can pin it. */
  random(): number;
}

/** Work a fault keeps doing during its phase (pod-kill at an interval). */
export interface Background {
  /** Stops the loop and waits for the iteration in flight. Idempotent. */
  stop(): Promise<void>;
}

export interface FaultPlugin<F extends Fault = Fault> {
  type: F['type'];
  /** The exact mutations, as sentences, for `chaos plan`: touches nothing. */
  plan(fault: F, target: FaultTarget): string[];
  /** Makes the change, recording every mutation through `ctx.mutate` first. */
  apply(fault: F, ctx: FaultContext): Promise<Background | undefined>;
  /** Waits (bounded by ctx.timing.verifyTimeoutMs) until the effect is observable; throws if not. */
  verify(fault: F, ctx: FaultContext, applied: readonly Mutation[]): Promise<void>;
  /** Undoes `applied` newest first; one outcome per mutation, never throws for one that fails. */
  revert(fault: F, ctx: KubeContext, applied: readonly Mutation[]): Promise<RevertOutcome[]>;
  /** Waits (bounded) until the system is back: replicas ready, routes gone, nodes schedulable. */
  verifyReverted(fault: F, ctx: KubeContext, applied: readonly Mutation[]): Promise<void>;
}

/** Undo for one kind of mutation: used by fault reverts and by `chaos recover` alike. */
export interface MutationHandler<M extends Mutation = Mutation> {
  kind: M['kind'];
  revert(mutation: M, ctx: KubeContext): Promise<RevertOutcome>;
  /** Waits (bounded) until what the mutation disturbed is healthy again; throws if not. */
  verifyReverted(mutation: M, ctx: KubeContext): Promise<void>;
  /** The kubectl command(s) that undo it by hand, against the given kube context. */
  manual(mutation: M, context: string): string;
}

export type MutationHandlers = { [K in MutationKind]: MutationHandler<Extract<Mutation, { kind: K }>> };

/** The handler of one mutation's kind (the map's type guarantees it matches the kind). */
export function handlerOf(handlers: Partial<MutationHandlers>, mutation: Mutation): MutationHandler {
  const handler = handlers[mutation.kind] as unknown as MutationHandler | undefined;
  if (!handler) throw new Error(`no handler for mutation kind ${mutation.kind}`);
  return handler;
}
