/**
 * One interface for every fault type; one folder per kind; one explicit registry (registry.ts).
 *
 * A fault's life: `plan` (text for `chaos plan`, touches nothing) → `apply` (every change goes
 * through `ctx.mutate`, which journals the undo record durably *before* the API call) →
 * `verify` (waits, bounded, until the effect is observable) → `revert` (undoes the recorded
 * mutations, newest first, never overwriting someone else's change) → `verifyReverted`.
 *
 * Undo lives in the mutation handlers (`mutations`), not in the fault: a revert needs only
 * the recorded mutations, so `chaos recover` can undo a run whose scenario and process are gone.
 *
 * To add a fault kind: see README.md in this folder (a folder with its FaultKind, one registry line).
 */
import type { IstioConvergence, ProtectedPods } from '../environment/types.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import type { MergePatch } from '../kube/types.js';
import type { FaultBase } from './fault-schema.js';
import type { MutationRecord, RevertOutcome } from './mutation-base.js';

/** A normalized fault of some type: what the shared code of faults/ handles without knowing the kinds. */
export interface FaultRecord extends FaultBase {
  type: string;
}

/** Where one fault lands: one cluster of the environment. */
export interface FaultTarget {
  cluster: string;
  context: string;
  /** The fault's namespace, defaulted to the environment's app namespace. */
  namespace: string;
  /** Names our own objects and annotations, e.g. a VirtualService route `chaos-<runId>-<faultId>`. */
  runId: string;
  /**
   * Istio faults: the workload clusters whose mesh config lives in `cluster` (the environment's
   * istioConfigCluster); undefined = `cluster` itself.
   */
  workloadClusters?: string[];
  /** Istio faults: how to know the data plane has the change; default: settle 5 s. */
  istioConvergence?: IstioConvergence;
  /** Drain: Pods never evicted; default: defaultProtectedPods. */
  protectedPods?: ProtectedPods;
}

/**
 * Why a fault will not be applied as written, found by reading the cluster: the object, the
 * reason, and the scenario field that overrides it (when one does). Shown by `chaos plan`,
 * `chaos validate --env` and `chaos run` alike.
 */
export interface Refusal {
  /** e.g. `Pod bank-of-anthos/debug in central`. */
  object: string;
  reason: string;
  /** e.g. `force: true`; undefined when nothing in the scenario can override it. */
  override?: string;
}

export function describeRefusal(refusal: Refusal): string {
  return `${refusal.object}: ${refusal.reason}${refusal.override ? ` (override: ${refusal.override})` : ''}`;
}

/** When the data plane had the change, for Istio faults (journal and result carry it). */
export interface Convergence {
  /** `status`: read from the VirtualService status; `settle`: no signal, the declared settle time was waited. */
  convergence: 'status' | 'settle';
  convergedAtMs: number;
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
  /** Resolves after `ms`, or early when the context's `signal` (or the one given) aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface FaultContext extends KubeContext {
  target: FaultTarget;
  /** ISO time stamped on annotations: after it, recover may assume this run is dead. */
  expiresAt: string;
  /**
   * The only way to change the cluster: journals `mutation` (flushed) before running `change`,
   * then journals the result. Throws without calling `change` once the session is reverting.
   */
  mutate<T>(mutation: MutationRecord, change: () => Promise<T>): Promise<T>;
  /** Uniform in [0, 1): which Pods to kill. Injectable so tests can pin it. */
  random(): number;
}

/** Work a fault keeps doing during its phase (pod-kill at an interval). */
export interface Background {
  /** Stops the loop and waits for the iteration in flight. Idempotent. */
  stop(): Promise<void>;
}

/** One fault type: `M` is every mutation kind its apply may record (a namespace drain records scales too). */
export interface FaultPlugin<F extends FaultRecord = FaultRecord, M extends MutationRecord = MutationRecord> {
  type: F['type'];
  /** The exact mutations, as sentences, for `chaos plan`: touches nothing. */
  plan(fault: F, target: FaultTarget): string[];
  /**
   * Reads the cluster (changes nothing) and says why the fault must not be applied as written.
   * `apply` runs it first and refuses when it finds anything.
   */
  check?(fault: F, ctx: CheckContext): Promise<Refusal[]>;
  /** Makes the change, recording every mutation through `ctx.mutate` first. */
  apply(fault: F, ctx: FaultContext): Promise<Background | undefined>;
  /**
   * Waits (bounded by ctx.timing.verifyTimeoutMs) until the effect is observable — for Istio,
   * until the data plane has it; throws if not.
   */
  verify(fault: F, ctx: FaultContext, applied: readonly M[]): Promise<Convergence | void>;
  /** Undoes `applied` newest first; one outcome per mutation, never throws for one that fails. */
  revert(fault: F, ctx: KubeContext, applied: readonly M[]): Promise<RevertOutcome[]>;
  /** Waits (bounded) until the system is back: replicas ready, routes gone (from the data plane), nodes schedulable. */
  verifyReverted(fault: F, ctx: KubeContext, applied: readonly M[]): Promise<Convergence | void>;
}

/** What `check` may use: the cluster's API (read only) and where the fault lands. */
export interface CheckContext {
  api: ClusterApi;
  target: FaultTarget;
}

/** Undo for one kind of mutation: used by fault reverts and by `chaos recover` alike. */
export interface MutationHandler<M extends MutationRecord = MutationRecord> {
  kind: M['kind'];
  revert(mutation: M, ctx: KubeContext): Promise<RevertOutcome>;
  /** Waits (bounded) until what the mutation disturbed is healthy again; throws if not. */
  verifyReverted(mutation: M, ctx: KubeContext): Promise<Convergence | void>;
  /** The kubectl command(s) that undo it by hand, against the given kube context. */
  manual(mutation: M, context: string): string;
  /** One line naming the object, for reports: `scale Deployment bank-of-anthos/frontend 2 → 0 in central`. */
  describe(mutation: M): string;
  /** Identity of the object it touched: two records with one key undo the same thing. */
  key(mutation: M): string;
  /** The kubectl command that shows whether what it changed is healthy again. */
  check(mutation: M, context: string): string;
  /**
   * Merge-patches the object it changed (a held game-day step moves `chaos.dev/expires` later);
   * absent when it leaves no object of ours to mark (an eviction, a Pod deletion).
   */
  markObject?(mutation: M, api: ClusterApi, patch: MergePatch): Promise<unknown>;
}

/** Handlers by mutation kind. */
export type MutationHandlers = Readonly<Record<string, MutationHandler>>;

/** The handler of one mutation's kind. */
export function handlerOf<M extends MutationRecord>(handlers: MutationHandlers, mutation: M): MutationHandler<M> {
  const handler = handlers[mutation.kind] as unknown as MutationHandler<M> | undefined;
  if (!handler) throw new Error(`no handler for mutation kind ${mutation.kind}`);
  return handler;
}
