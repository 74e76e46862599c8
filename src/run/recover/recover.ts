/**
 * `chaos recover`: find what any run left behind — in the journals under reports/, and in
 * the clusters themselves (our annotations, run-named routes) — and undo it with the same
 * mutation handlers a run uses. Idempotent: whatever is already back is `absent`. Works with
 * no journal at all (from another machine); a journal adds what annotations cannot carry
 * (e.g. the digest that detects concurrent VirtualService edits).
 */
import { settleConflict } from '../../faults/conflict.js';
import { mutationHandlerFor } from '../../faults/registry.js';
import type { FaultTiming, KubeContext } from '../../faults/fault-plugin.js';
import { isSettled, mutationKey, type Mutation, type MutationKind, type RevertOutcome } from '../../faults/mutation.js';
import type { Environment, IstioConvergence } from '../../environment/types.js';
import type { ClusterApis } from '../../kube/cluster-api.js';
import { findJournals, openJournal, pendingMutations, readJournal } from '../record/journal.js';
import type { JournalEntry } from '../record/run-events.js';
import { scanCluster, suspectMutation } from './recover-scan.js';
import { sleep } from '../../system/sleep.js';
import { errorText } from '../../errors/errors.js';

type LeftoverSource = 'journal' | 'annotations' | 'route name';

export interface Leftover {
  mutation: Mutation;
  sources: LeftoverSource[];
  /** The journal (and mutation id there) it came from, if any. */
  journal?: { file: string; id: string };
  /** Past its expiry: the run that made it is presumed dead. Unknown expiry counts as expired. */
  expired: boolean;
  manual: string;
  outcome?: RevertOutcome;
  verifyError?: string;
  /**
   * Verify even when the undo finds it already back: someone we cannot ask did it (a guard that
   * died mid-revert), so "already back" is a claim to check, not a fact.
   */
  verifyIfAbsent?: boolean;
}

export interface RecoverFindings {
  leftovers: Leftover[];
  /** Routes that look like ours but whose run is not known: listed, never touched. */
  suspects: string[];
  problems: string[];
  /**
   * Objects a revert found changed by someone else (`chaos.dev/conflict`): over, never retried,
   * never blocking a run; each line says what differed and how to decide.
   */
  conflicts: string[];
  /** Clusters that could not be scanned completely, and why: nothing there can be called clean. */
  incomplete: Array<{ cluster: string; reasons: string[] }>;
}

export interface RecoverOptions {
  environment: Environment;
  apis: ClusterApis;
  /** Folder of run folders holding journals; undefined = clusters only. */
  reportsDir?: string;
  /** Runs to treat as ours even when only their route names are left. */
  runIds?: readonly string[];
  now?: () => number;
}

/** Reverted first → last: things other mutations depend on (Nodes) come back last, like a reversed apply. */
/**
 * The order leftovers of one cluster are undone in, by mutation kind. A record of every kind the
 * registry knows: a new kind does not compile until it has its place here.
 */
const revertRank: Record<MutationKind, number> = {
  'pod-delete': 0,
  evict: 1,
  'route-insert': 2,
  'virtualservice-create': 3,
  // An HPA is unpinned before its workload's count is restored (else it pins it back); KEDA resumes last.
  'hpa-pin': 4,
  scale: 5,
  'keda-pause': 6,
  cordon: 7,
};

export async function findLeftovers(options: RecoverOptions): Promise<RecoverFindings> {
  const now = options.now ?? Date.now;
  const clusters = new Set(options.environment.clusters.map((cluster) => cluster.name));
  const byKey = new Map<string, Leftover>();
  const problems: string[] = [];
  const add = (mutation: Mutation, source: LeftoverSource, journal?: Leftover['journal']): void => {
    const key = mutationKey(mutation);
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.sources.includes(source)) existing.sources.push(source);
      existing.journal ??= journal;
      return;
    }
    const context = options.apis.get(mutation.cluster)?.context ?? mutation.cluster;
    const expiresAtMs = Date.parse(mutation.expiresAt);
    byKey.set(key, {
      mutation,
      sources: [source],
      journal,
      expired: !Number.isFinite(expiresAtMs) || expiresAtMs <= now(),
      manual: mutationHandlerFor(mutation).manual(mutation, context),
    });
  };
  for (const file of options.reportsDir ? await findJournals(options.reportsDir) : []) {
    const { entries } = await readJournal(file);
    const started = entries.find(
      (entry): entry is Extract<JournalEntry, { type: 'run-started' }> => entry.type === 'run-started',
    );
    if (started && started.environment !== options.environment.name) continue;
    for (const pending of pendingMutations(entries)) {
      if (!clusters.has(pending.mutation.cluster)) {
        problems.push(
          `${file}: ${pending.mutation.kind} in cluster ${pending.mutation.cluster}, which environment ${options.environment.name} does not have`,
        );
        continue;
      }
      add(pending.mutation, 'journal', { file, id: pending.id });
    }
  }
  const suspects: string[] = [];
  const scans = await Promise.all(
    [...options.apis.values()].filter((api) => clusters.has(api.cluster)).map((api) => scanCluster(api)),
  );
  for (const scan of scans) {
    problems.push(...scan.problems);
    for (const mutation of scan.mutations) add(mutation, 'annotations');
  }
  const knownRuns = new Set(
    [...byKey.values()].map((leftover) => leftover.mutation.runId).concat(options.runIds ?? []),
  );
  for (const suspect of scans.flatMap((scan) => scan.suspects)) {
    if (knownRuns.has(suspect.runId)) add(suspectMutation(suspect), 'route name');
    else
      suspects.push(
        `VirtualService ${suspect.namespace}/${suspect.virtualService} in ${suspect.cluster}: route(s) ${suspect.routes.join(', ')} look like run ${suspect.runId}'s but carry no annotation (pass --run ${suspect.runId} to remove them)`,
      );
  }
  const incomplete = scans
    .filter((scan) => scan.unscanned.length > 0)
    .map((scan) => ({ cluster: scan.cluster, reasons: scan.unscanned }));
  const conflicts = scans.flatMap((scan) =>
    scan.conflicts.map(
      ({ cluster, object, mark, clear }) =>
        `${object} in ${cluster}: run ${mark.run}, fault ${mark.fault}, at ${mark.at}: ${mark.detail}. ` +
        `To restore what the run changed: ${mark.manual || '(see the detail)'}; either way, then: ${clear}`,
    ),
  );
  return { leftovers: [...byKey.values()], suspects, problems, conflicts, incomplete };
}

export interface RevertLeftoversOptions {
  apis: ClusterApis;
  timing: FaultTiming;
  /** Wait until what was reverted is healthy again (default true). */
  verify?: boolean;
  now?: () => number;
  /**
   * How the environment's data plane shows an Istio change: mutations rebuilt from annotations
   * carry none, and would otherwise wait the default settle time.
   */
  istioConvergence?: IstioConvergence;
  /** Called once per leftover when its outcome is final (undo failed, or undone and verified). */
  onSettled?: (leftover: Leftover) => Promise<void>;
}

/**
 * Reverts leftovers cluster by cluster (clusters in parallel), records each outcome in the
 * journal it came from, then verifies. Never throws; outcomes are on the leftovers.
 */
export async function revertLeftovers(leftovers: readonly Leftover[], options: RevertLeftoversOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const byCluster = new Map<string, Leftover[]>();
  for (const leftover of leftovers)
    byCluster.set(leftover.mutation.cluster, [...(byCluster.get(leftover.mutation.cluster) ?? []), leftover]);
  await Promise.all(
    [...byCluster.entries()].map(async ([cluster, list]) => {
      const api = options.apis.get(cluster);
      const ordered = [...list].sort((a, b) => revertRank[a.mutation.kind] - revertRank[b.mutation.kind]);
      // Undo waits are never cut short: a fresh signal, the recover's own clock.
      const ctx: KubeContext | undefined = api && {
        api,
        timing: options.timing,
        signal: new AbortController().signal,
        now,
        sleep: (ms) => sleep(ms),
      };
      const settled = async (leftover: Leftover) => {
        if (options.onSettled) await options.onSettled(leftover);
      };
      for (const leftover of ordered) {
        const mutation = leftover.mutation;
        if ((mutation.kind === 'route-insert' || mutation.kind === 'virtualservice-create') && !mutation.convergence)
          if (options.istioConvergence) mutation.convergence = options.istioConvergence;
        if (!ctx) {
          leftover.outcome = {
            status: 'failed',
            detail: `no API client for cluster ${cluster}`,
            manual: leftover.manual,
          };
          await settled(leftover);
          continue;
        }
        try {
          const outcome = await mutationHandlerFor(leftover.mutation).revert(leftover.mutation, ctx);
          // A conflict ends here: marked once, our annotations gone, never retried.
          leftover.outcome = await settleConflict(ctx.api, leftover.mutation, outcome, now());
        } catch (error) {
          leftover.outcome = {
            status: 'failed',
            detail: errorText(error),
            manual: leftover.manual,
          };
        }
        await recordInJournal(leftover, now());
        if (!toVerify(leftover) || options.verify === false) await settled(leftover);
      }
      if (options.verify === false || !ctx) return;
      for (const leftover of ordered) {
        if (!toVerify(leftover)) continue;
        try {
          await mutationHandlerFor(leftover.mutation).verifyReverted(leftover.mutation, ctx);
        } catch (error) {
          leftover.verifyError = errorText(error);
        }
        await settled(leftover);
      }
    }),
  );
}

function toVerify(leftover: Leftover): boolean {
  const status = leftover.outcome?.status;
  return status === 'reverted' || (status === 'absent' && leftover.verifyIfAbsent === true);
}

async function recordInJournal(leftover: Leftover, atMs: number): Promise<void> {
  if (!leftover.journal || !leftover.outcome) return;
  try {
    const journal = await openJournal(leftover.journal.file);
    await journal.append({
      type: 'mutation-reverted',
      atMs,
      id: leftover.journal.id,
      outcome: leftover.outcome,
      by: 'recover',
    });
    await journal.close();
  } catch {
    // The cluster is the truth; a journal we cannot write only means the next recover re-checks it.
  }
}

export function isRecovered(leftover: Leftover): boolean {
  return leftover.outcome !== undefined && isSettled(leftover.outcome);
}
