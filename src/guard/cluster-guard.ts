/**
 * The guard of one cluster: watches the lock Lease and the objects a run marks, and reverts the
 * mutations of runs that are dead (judge-runs.ts) through revert-run.ts: `chaos recover`'s undo
 * handlers, then verification, an Event on each object and a log line. Only the elected replica
 * acts.
 *
 * Watch events only wake it; each pass re-reads the Lease and scans the cluster. A timer wakes it
 * when a live run's Lease could go quiet; a slow resync is the backstop for a missed event.
 */
import { errorText } from '../errors/errors.js';
import { leftoverScans } from '../faults/registry.js';
import type { FaultTiming } from '../faults/fault-plugin.js';
import type { IstioConvergence } from '../environment/types.js';
import { isNotFound } from '../kube/api-error.js';
import type { Mutation } from '../faults/mutation.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import type { Lease } from '../kube/types.js';
import { watchErrorStatus, type WatchedResource } from '../kube/watch-calls.js';
import { lockName, lockNamespace } from '../run/session/lock.js';
import { scanCluster, suspectMutation } from '../run/recover/recover-scan.js';
import type { ClusterCounters } from './guard-metrics.js';
import { monotonicMs } from '../system/clock.js';
import { ExpirySightings } from './expiry-sightings.js';
import { holderRunId, judgeRuns, type LockView, type RunJudgement } from './judge-runs.js';
import { inFlightAnnotation, revertDeadRun } from './revert-run.js';

export interface ClusterGuardOptions {
  api: ClusterApi;
  identity: string;
  graceMs: number;
  resyncMs: number;
  /**
   * Duration of the lock Lease the guard holds while it reverts (its `--lease`): a guard that dies
   * mid-revert is taken over after it plus the grace.
   */
  leaseSeconds: number;
  timing: FaultTiming;
  /** How the environment's data plane shows an Istio change (rebuilt mutations carry none). */
  istioConvergence?: IstioConvergence;
  counters: ClusterCounters;
  isLeader: () => boolean;
  log: (line: string) => void;
  /** The wall clock, for what is written (Events, marks); default Date.now. */
  now?: () => number;
  /** The clock of durations (quiet Leases, expiries timed from a sighting); default monotonic. */
  clock?: () => number;
}

export interface ClusterGuard {
  /** Wake it now (a test, or a new leader). */
  poke(): void;
  stop(): Promise<void>;
}

/** The lock Leases, and every kind of object a fault kind marks (faults/<kind>/scan.ts). */
const watched: WatchedResource[] = ['leases', ...leftoverScans.flatMap((scan) => scan.watches)];

function versionOf(lease: Lease): string {
  return `${lease.metadata?.resourceVersion}/${lease.spec?.holderIdentity}/${String(lease.spec?.renewTime)}`;
}

export function startClusterGuard(options: ClusterGuardOptions): ClusterGuard {
  const { api, log } = options;
  const now = options.now ?? Date.now;
  const clock = options.clock ?? monotonicMs;
  const seen: LeaseSighting = { sinceMs: clock() };
  const expiries = new ExpirySightings();
  const stops: Array<() => void> = [];
  let stopped = false;
  let pass: Promise<void> = Promise.resolve();
  let queued = false;
  let deadline: NodeJS.Timeout | undefined;

  const reconcile = async (): Promise<void> => {
    if (stopped || !options.isLeader()) return;
    options.counters.reconciles += 1;
    const { view, lease } = await observeLock(api, seen, clock);
    const scan = await scanCluster(api);
    const { runIds, mutations, untrusted } = trustedMutations(scan, view);
    noteScanProblems([...scan.problems, ...scan.unscanned, ...untrusted]);
    for (const runId of runIds) options.counters.runsSeen.add(runId);
    const judgement = judgeRuns(mutations, view, options.graceMs, clock(), expiries.observe(mutations, clock()));
    const dead = judgement.runs.filter((r) => r.deadBecause);
    for (const run of dead) if (!stopped && options.isLeader()) await revertRun(run);
    schedule(Math.min(judgement.nextCheckAtMs ?? Infinity, await finishInFlight(lease, dead.length > 0)));
  };

  /**
   * A guard that died while reverting left its record of the mutations in hand on the lock, and
   * maybe nothing annotated to find: once its lock has gone quiet, take it over, verify and record
   * them (revertDeadRun does the same whenever it reverts a run). Returns when to look again.
   */
  const finishInFlight = async (lease: Lease | undefined, reverted: boolean): Promise<number> => {
    if (reverted || !lease?.metadata?.annotations?.[inFlightAnnotation] || stopped || !options.isLeader())
      return Infinity;
    if (!quiet(lease)) return quietAtMs(lease);
    const holder = lease.spec?.holderIdentity ?? 'a guard';
    await revertRun({ runId: 'in-flight', mutations: [], expired: false, deadBecause: `${holder} stopped mid-revert` });
    return Infinity;
  };

  const noteScanProblems = createProblemNotes(options);

  /** When the record this guard watches goes quiet: unchanged for its duration plus the grace. */
  const quietAtMs = (lease: Lease): number =>
    seen.sinceMs + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 + options.graceMs;
  /** The exact record this guard has watched stay unchanged for its duration plus the grace. */
  const quiet = (lease: Lease): boolean => versionOf(lease) === seen.version && clock() >= quietAtMs(lease);

  const revertRun = (run: RunJudgement) => revertDeadRun(run, { ...options, now, takeOver: quiet });

  const schedule = (atMs: number | undefined) => {
    if (deadline) clearTimeout(deadline);
    const waitMs = Math.min(options.resyncMs, atMs === undefined ? Infinity : Math.max(0, atMs - clock()) + 50);
    deadline = setTimeout(() => poke(), waitMs);
    deadline.unref();
  };

  /** Serial passes; changes during a pass queue exactly one more. */
  const poke = () => {
    if (stopped || queued) return;
    queued = true;
    pass = pass.then(async () => {
      queued = false;
      try {
        await reconcile();
        options.counters.lastPassAtMs = now();
      } catch (error) {
        log(`${api.cluster}: pass failed: ${errorText(error)}`);
        schedule(clock() + 2_000);
      }
    });
  };

  for (const resource of watched) watch(resource, { api, log, poke, stops, isStopped: () => stopped });
  poke();
  return {
    poke,
    stop: async () => {
      stopped = true;
      if (deadline) clearTimeout(deadline);
      for (const stop of stops) stop();
      await pass;
    },
  };
}

/**
 * The mutations to judge: what the scan rebuilt from annotations, plus the routes that lost theirs
 * (suspects) only of the run the lock names — the run's own record, as it held it (or held it when
 * it died). A run id on any other object proves nothing: anyone may annotate. The rest is reported.
 */
function trustedMutations(
  scan: Awaited<ReturnType<typeof scanCluster>>,
  view: LockView | undefined,
): { runIds: Set<string>; mutations: Mutation[]; untrusted: string[] } {
  const runIds = new Set(scan.mutations.map((m) => m.runId));
  const trusted = (runId: string) => runId === view?.holderRunId;
  return {
    runIds,
    mutations: [...scan.mutations, ...scan.suspects.filter((s) => trusted(s.runId)).map((s) => suspectMutation(s))],
    untrusted: scan.suspects
      .filter((s) => !trusted(s.runId))
      .map(
        (s) =>
          `VirtualService ${s.namespace}/${s.virtualService}: route(s) ${s.routes.join(', ')} named like run ${s.runId}'s carry no annotation: not touched (chaos recover --run ${s.runId} removes them)`,
      ),
  };
}

/** When the lock record last changed, as this guard saw it (a record goes quiet by not changing). */
interface LeaseSighting {
  version?: string;
  sinceMs: number;
}

/** Reads the lock Lease and notes whether it changed since the last look. */
async function observeLock(
  api: ClusterApi,
  seen: LeaseSighting,
  clock: () => number,
): Promise<{ view?: LockView; lease?: Lease }> {
  let lease: Lease | undefined;
  try {
    lease = await api.readLease(lockNamespace, lockName);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (!lease) return {};
  const holder = lease.spec?.holderIdentity || undefined;
  const version = versionOf(lease);
  if (seen.version !== version) Object.assign(seen, { version, sinceMs: clock() });
  const leaseMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  return { lease, view: { holder, holderRunId: holderRunId(holder), leaseMs, unchangedSinceMs: seen.sinceMs } };
}

/** What the guard cannot see (a kind its RBAC does not allow, an API that failed): logged once each, counted. */
function createProblemNotes(options: ClusterGuardOptions): (problems: readonly string[]) => void {
  const problemsLogged = new Set<string>();
  return (problems) => {
    options.counters.scanProblems = problems.length;
    for (const problem of problems)
      if (!problemsLogged.has(problem)) {
        problemsLogged.add(problem);
        options.log(`${options.api.cluster}: cannot see everything, so cannot revert it: ${problem}`);
      }
  };
}

interface Watching {
  api: ClusterApi;
  log: (line: string) => void;
  /** Wakes the guard on every event. */
  poke: () => void;
  /** Where each started watch leaves its stop. */
  stops: Array<() => void>;
  isStopped: () => boolean;
}

/** Watches one resource until the guard stops; a stream that ends is started again. */
function watch(resource: WatchedResource, watching: Watching): void {
  const { api, log, isStopped } = watching;
  if (isStopped()) return;
  const namespace = resource === 'leases' ? lockNamespace : undefined;
  const restart = (error?: unknown) => {
    const status = watchErrorStatus(error);
    // Not served (no HPAs, no Istio) or not allowed: the resync still covers it.
    if (status === 404 || status === 403) return log(`${api.cluster}: not watching ${resource}: HTTP ${status}`);
    // A stream the server ended (its timeout) restarts at once-ish; a failed one after a second.
    if (!isStopped()) setTimeout(() => watch(resource, watching), error ? 1_000 : 200).unref();
  };
  api
    .watchResource(resource, namespace, () => watching.poke(), restart)
    .then((stop) => (isStopped() ? stop() : watching.stops.push(stop)), restart);
}
