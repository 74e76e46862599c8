/**
 * `chaos recover`: undo whatever any run left behind — from the journals under reports/ and from
 * the clusters themselves — and say what was done. Cluster by cluster: each cluster's lock is
 * taken first (a live run's cluster is never touched; a dead holder is taken over), what can be
 * reached is scanned and fixed, and every cluster that could not be reached, locked or scanned
 * completely is named and makes the exit code the harness-error one. "Nothing to recover" is said
 * only after a complete scan of every cluster.
 */
import path from 'node:path';
import { connectExisting } from '../environment/open-environment.js';
import { assertMayMutate } from '../environment/context-allow-list.js';
import { readEnvironment } from '../environment/read-environment.js';
import type { Environment } from '../environment/types.js';
import { resolveLabStateDir } from '../lab/index.js';
import { errorText, HarnessError, InputError } from '../errors/errors.js';
import { describeMutation } from '../faults/mutation.js';
import type { ClusterApis } from '../kube/cluster-api.js';
import { defaultTiming } from '../run/session/fault-session.js';
import { findJournals } from '../run/record/journal.js';
import { acquireLock, inspectLock, type EnvironmentLock } from '../run/session/lock.js';
import { findOrphanedLoad, stopOrphanedLoad } from '../run/recover/orphaned-load.js';
import { findLeftovers, isRecovered, revertLeftovers, type Leftover } from '../run/recover/recover.js';
import { outputSchemaVersion, type RecoverOutput } from '../report/output-schemas.js';
import type { CliIo } from '../system/io.js';

export interface RecoverOptions {
  env: string;
  dryRun?: boolean;
  yes?: boolean;
  reports: string;
  run?: string[];
  lockWait: string;
  verify: boolean;
  /** With the lab: its state folder (else CHAOS_STATE_DIR, else .chaos/lab). */
  stateDir?: string;
  /** `json`: one RecoverOutput document on stdout instead of lines (errors: main's error document). */
  output?: string;
}

export async function recoverEnvironment(options: RecoverOptions, cli: CliIo): Promise<void> {
  const json = options.output === 'json';
  // JSON: stdout carries one document; the lines a person reads are left out, warnings stay on stderr.
  const io: CliIo = json ? { ...cli, out: () => undefined } : cli;
  const environment = readEnvironment(options.env, io.cwd);
  const document: RecoverOutput = {
    schemaVersion: outputSchemaVersion,
    environment: environment.name,
    dryRun: options.dryRun === true,
    leftovers: [],
    suspects: [],
    problems: [],
    notChecked: [],
  };
  const print = () => {
    if (json) cli.out(JSON.stringify(document, null, 2));
  };
  if (!options.dryRun) assertMayMutate(environment, options.yes === true);
  const lockWaitSeconds = parseLockWait(options.lockWait);
  const reportsDir = path.resolve(io.cwd, options.reports);
  await stopOrphanedLoads(reportsDir, options.dryRun === true, io);
  const opened = await connectExisting(environment, io.cwd, io.env, options.stateDir);
  if (environment.builtIn) document.labRunning = opened !== undefined;
  if (!opened) {
    const where = resolveLabStateDir(io.cwd, io.env, options.stateDir);
    io.out(
      `the lab is not running (no live lab in ${where}): its clusters live only in memory, so nothing can be left behind in them`,
    );
    return print();
  }
  const apis = opened.apis;
  const lock = options.dryRun ? undefined : await takeLocks(apis, lockWaitSeconds, io);
  const unavailable = lock?.unavailable ?? [];
  const reachable: ClusterApis = new Map(
    [...apis].filter(([cluster]) => !unavailable.some((u) => u.cluster === cluster)),
  );
  try {
    const findings = await findLeftovers({ environment, apis: reachable, reportsDir, runIds: options.run });
    for (const problem of findings.problems) io.err(`warning: ${problem}`);
    for (const suspect of findings.suspects) io.out(`not touched: ${suspect}`);
    // Over and never retried, and no run is refused for them: listed every time until a person decides.
    for (const conflict of findings.conflicts) io.out(`conflict, a person decides: ${conflict}`);
    const untouchable = findings.leftovers.filter((l) => !reachable.has(l.mutation.cluster));
    const leftovers = findings.leftovers.filter((l) => reachable.has(l.mutation.cluster));
    const notChecked = [
      ...unavailable.map((u) => `${u.cluster}: not locked, so not touched: ${u.reason}`),
      ...findings.incomplete.map((i) => `${i.cluster}: not scanned completely: ${i.reasons.join('; ')}`),
      ...untouchable.map((l) => `${l.mutation.cluster}: not touched: ${describeLeftover(l)}`),
    ];
    document.problems = [...findings.problems];
    document.suspects = [...findings.suspects];
    document.notChecked = [...notChecked];
    if (leftovers.length === 0 && notChecked.length === 0 && findings.suspects.length === 0) {
      const clusters = environment.clusters.map((c) => c.name).join(', ');
      io.out(`nothing to recover in environment ${environment.name} (${clusters}): every cluster scanned completely`);
      return print();
    }
    if (leftovers.length > 0) {
      io.out(`${leftovers.length} leftover(s) in environment ${environment.name}:`);
      for (const leftover of leftovers) io.out(`  ${describeLeftover(leftover)}`);
    }
    if (options.dryRun) await showWhatWouldBeDone(leftovers, apis, io);
    else await undoLeftovers(leftovers, { environment, reachable, verify: options.verify }, io);
    document.leftovers = leftovers.map(describeForJson);
    finish(leftovers, notChecked, findings.suspects, io);
    print();
  } finally {
    for (const problem of (await lock?.release()) ?? []) io.err(`warning: ${problem}`);
  }
}

function parseLockWait(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new InputError(`--lock-wait ${value}: expected a number of seconds`);
  return seconds;
}

/** k6 processes that dead runs left running (their journals name the pid): stopped, or named in a dry run. */
async function stopOrphanedLoads(reportsDir: string, dryRun: boolean, io: CliIo): Promise<void> {
  for (const orphan of await findOrphanedLoad(await findJournals(reportsDir))) {
    const verb = dryRun ? 'would stop' : stopOrphanedLoad(orphan) ? 'stopped' : 'could not stop';
    io.out(`${verb} k6 (pid ${orphan.pid}) left running by dead run ${orphan.runId}`);
  }
}

async function showWhatWouldBeDone(leftovers: readonly Leftover[], apis: ClusterApis, io: CliIo): Promise<void> {
  await showHolders(apis, io);
  io.out('dry run: nothing changed. By hand, each would be:');
  for (const leftover of leftovers) io.out(`  ${leftover.manual}`);
}

/** Reverts the leftovers on the clusters this command holds the lock of, and says how each went. */
async function undoLeftovers(
  leftovers: readonly Leftover[],
  where: { environment: Environment; reachable: ClusterApis; verify: boolean },
  io: CliIo,
): Promise<void> {
  const { environment } = where;
  await revertLeftovers(leftovers, {
    apis: where.reachable,
    timing: defaultTiming,
    verify: where.verify,
    ...(environment.istioConvergence ? { istioConvergence: environment.istioConvergence } : {}),
  });
  reportOutcomes(leftovers, io);
}

/** Every cluster's lock, each on its own: a dead holder is taken over, a live one waited for, then skipped. */
async function takeLocks(apis: ClusterApis, waitSeconds: number, io: CliIo): Promise<EnvironmentLock> {
  const lock = await acquireLock(apis, { runId: 'recover', partial: true, waitMs: 0 });
  if (lock.unavailable.length === 0 || waitSeconds === 0) return lock;
  const waiting = new Map([...apis].filter(([cluster]) => lock.unavailable.some((u) => u.cluster === cluster)));
  io.out(
    `${lock.unavailable.map((u) => u.reason.split('\n')[0]).join('; ')}; ` +
      `watching for up to ${waitSeconds}s for it to be released or to go quiet (a dead run stops renewing it)`,
  );
  const more = await acquireLock(waiting, {
    runId: 'recover',
    holder: lock.holder,
    partial: true,
    waitMs: waitSeconds * 1000,
    pollMs: 500,
  });
  return {
    holder: lock.holder,
    clusters: [...lock.clusters, ...more.clusters],
    unavailable: more.unavailable,
    lost: () => lock.lost() ?? more.lost(),
    fence: (cluster) => (more.clusters.includes(cluster) ? more : lock).fence(cluster),
    release: async () => [...(await lock.release()), ...(await more.release())],
  };
}

async function showHolders(apis: ClusterApis, io: CliIo): Promise<void> {
  for (const [cluster, api] of apis) {
    try {
      const [state] = await inspectLock(new Map([[cluster, api]]));
      if (state?.holder && !state.stale) io.out(`lock of ${cluster} is held by ${state.holder}`);
    } catch (error) {
      io.out(`lock of ${cluster} cannot be read: ${errorText(error)}`);
    }
  }
}

function describeForJson(leftover: Leftover): RecoverOutput['leftovers'][number] {
  return {
    description: describeLeftover(leftover),
    manual: leftover.manual,
    outcome: leftover.outcome?.status ?? null,
    detail: leftover.outcome?.detail ?? null,
    recovered: leftover.outcome !== undefined && isRecovered(leftover),
  };
}

function describeLeftover(leftover: Leftover): string {
  const { mutation } = leftover;
  const expiry = leftover.expired ? 'expired' : `expires ${mutation.expiresAt}`;
  return `${describeMutation(mutation)} — run ${mutation.runId}, fault ${mutation.faultId}; from ${leftover.sources.join(' + ')}; ${expiry}`;
}

function reportOutcomes(leftovers: readonly Leftover[], io: CliIo): void {
  for (const leftover of leftovers) {
    const outcome = leftover.outcome;
    if (!outcome) continue;
    const verdict =
      outcome.status === 'reverted'
        ? 'reverted'
        : outcome.status === 'absent'
          ? 'already back'
          : outcome.status === 'conflict'
            ? 'NOT reverted (changed by someone else)'
            : 'NOT reverted';
    io.out(`${verdict}: ${outcome.detail}`);
    if (outcome.status === 'reverted') for (const note of outcome.notes ?? []) io.out(`  note: ${note}`);
    if (leftover.verifyError) io.out(`  not healthy yet: ${leftover.verifyError}`);
    if (!isRecovered(leftover)) io.out(`  by hand: ${leftover.manual}`);
  }
}

/** The exit: a harness error whenever anything is left or could not be checked, each named. */
function finish(
  leftovers: readonly Leftover[],
  notChecked: readonly string[],
  suspects: readonly string[],
  io: CliIo,
): void {
  const failed = leftovers.filter((leftover) => leftover.outcome !== undefined && !isRecovered(leftover));
  for (const line of notChecked) io.err(`not checked: ${line}`);
  if (failed.length > 0 || notChecked.length > 0 || suspects.length > 0) {
    const parts = [
      ...(failed.length > 0 ? [`${failed.length} of ${leftovers.length} leftover(s) could not be reverted`] : []),
      ...(notChecked.length > 0 ? [`${notChecked.length} cluster problem(s): not everything could be checked`] : []),
      // A route of ours that lost its annotations: a person decides (--run), never "nothing to recover".
      ...(suspects.length > 0
        ? [`${suspects.length} VirtualService(s) with routes named like ours but no annotation: not touched`]
        : []),
    ];
    throw new HarnessError(parts.join('; '), 'fix what is named above, then run `chaos recover` again to check');
  }
  if (leftovers.length > 0) io.out(`recovered: ${leftovers.length} leftover(s) undone or already back`);
}
