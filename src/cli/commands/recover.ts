/**
 * `chaos recover [--env ENV] [--dry-run]`: undo whatever any run left behind in an
 * environment — from the journals under reports/ and from the clusters themselves — and say
 * what was done. Takes the environment's lock first, so it never undoes a live run's faults;
 * a lock left by a dead run is waited out (it expires by itself).
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError, InputError } from '../../errors/errors.js';
import type { CliIo } from '../../system/io.js';
import { assertMayMutate } from '../../environment/guard.js';
import { readEnvironment } from '../../environment/read-environment.js';
import type { Environment } from '../../environment/types.js';
import { describeMutation } from '../../faults/mutation.js';
import { type ClusterApis } from '../../kube/cluster-api.js';
import { connectEnvironment } from '../../environment/connect.js';
import { readLabState } from '../../lab/index.js';
import { defaultTiming } from '../../run/fault-session.js';
import { acquireLock, inspectLock, LockHeldError } from '../../run/lock.js';
import { labStateDir } from '../../environment/open-environment.js';
import { outputSchemaVersion, type RecoverOutput } from '../../report/output-schemas.js';
import { outputOption } from '../options.js';
import { findLeftovers, isRecovered, revertLeftovers, type Leftover } from '../../run/recover.js';

interface RecoverOptions {
  env: string;
  dryRun?: boolean;
  yes?: boolean;
  reports: string;
  run?: string[];
  lockWait: string;
  verify: boolean;
  output: string;
}

export function registerRecover(program: Command, io: CliIo): void {
  program
    .command('recover')
    .description(
      'find and undo what any run left behind (journals under reports/, annotations and chaos routes in every cluster); idempotent',
    )
    .option('--env <name>', 'environment: lab (default) or a file in environments/', 'lab')
    .option('--dry-run', 'list the leftovers and how they would be undone; change nothing')
    .option('--yes', "allow changes to contexts that are not on the environment's allow-list")
    .option('--reports <dir>', 'where run folders (and their journals) are', 'reports')
    .option('--run <id...>', 'treat these runs as dead and ours even where only their route names are left')
    .option('--lock-wait <seconds>', 'how long to wait for a lock left by a dead run to expire', '45')
    .option('--no-verify', 'do not wait until what was undone is healthy again')
    .addOption(outputOption())
    .action(async (options: RecoverOptions) => {
      await recoverEnvironment(options, io);
    });
}

async function connect(environment: Environment, cwd: string): Promise<ClusterApis | undefined> {
  if (!environment.builtIn) return connectEnvironment(environment, { cwd });
  const reading = await readLabState(path.resolve(cwd, labStateDir));
  if (!reading?.running) return undefined;
  return connectEnvironment(environment, { kubeconfigYaml: readFileSync(reading.state.kubeconfig, 'utf8'), cwd });
}

async function recoverEnvironment(options: RecoverOptions, cli: CliIo): Promise<void> {
  const json = options.output === 'json';
  // JSON: stdout carries one document; the lines a person reads are left out, warnings stay on stderr.
  const io: CliIo = json ? { ...cli, out: () => undefined } : cli;
  const document: RecoverOutput = {
    schemaVersion: outputSchemaVersion,
    environment: options.env,
    dryRun: options.dryRun === true,
    leftovers: [],
    suspects: [],
    problems: [],
  };
  const print = () => {
    if (json) cli.out(JSON.stringify(document, null, 2));
  };
  const environment = readEnvironment(options.env, io.cwd);
  if (!options.dryRun) assertMayMutate(environment, options.yes === true);
  const lockWaitSeconds = Number(options.lockWait);
  if (!Number.isFinite(lockWaitSeconds) || lockWaitSeconds < 0)
    throw new InputError(`--lock-wait ${options.lockWait}: expected a number of seconds`);
  const apis = await connect(environment, io.cwd);
  document.environment = environment.name;
  if (environment.builtIn) document.labRunning = apis !== undefined;
  if (!apis) {
    io.out('the lab is not running: its clusters live only in memory, so nothing can be left behind in them');
    return print();
  }
  const findings = await findLeftovers({
    environment,
    apis,
    reportsDir: path.resolve(io.cwd, options.reports),
    runIds: options.run,
  });
  for (const problem of findings.problems) io.err(`warning: ${problem}`);
  for (const suspect of findings.suspects) io.out(`not touched: ${suspect}`);
  document.problems = [...findings.problems];
  document.suspects = [...findings.suspects];
  if (findings.leftovers.length === 0) {
    io.out(
      `nothing to recover in environment ${environment.name} (${environment.clusters.map((c) => c.name).join(', ')})`,
    );
    return print();
  }
  io.out(`${findings.leftovers.length} leftover(s) in environment ${environment.name}:`);
  for (const leftover of findings.leftovers) io.out(`  ${describeLeftover(leftover)}`);
  if (options.dryRun) {
    for (const lock of await inspectLock(apis, environment.namespace))
      if (lock.holder && !lock.stale) io.out(`lock of ${lock.cluster} is held by ${lock.holder}`);
    io.out('dry run: nothing changed. By hand, each would be:');
    for (const leftover of findings.leftovers) io.out(`  ${leftover.manual}`);
    document.leftovers = findings.leftovers.map(describeForJson);
    return print();
  }
  const lock = await takeLock(apis, environment, lockWaitSeconds, io);
  try {
    await revertLeftovers(findings.leftovers, { apis, timing: defaultTiming, verify: options.verify });
  } finally {
    const problems = await lock.release();
    for (const problem of problems) io.err(`warning: ${problem}`);
  }
  document.leftovers = findings.leftovers.map(describeForJson);
  report(findings.leftovers, io);
  print();
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

async function takeLock(
  apis: ClusterApis,
  environment: Environment,
  waitSeconds: number,
  io: CliIo,
): ReturnType<typeof acquireLock> {
  const runId = 'recover';
  try {
    return await acquireLock(apis, { namespace: environment.namespace, runId, waitMs: 0 });
  } catch (error) {
    if (!(error instanceof LockHeldError) || waitSeconds === 0) throw error;
    io.out(`${error.message}; waiting up to ${waitSeconds}s for it to expire (a dead run stops renewing it)`);
    return acquireLock(apis, { namespace: environment.namespace, runId, waitMs: waitSeconds * 1000, pollMs: 500 });
  }
}

function describeLeftover(leftover: Leftover): string {
  const { mutation } = leftover;
  const expiry = leftover.expired ? 'expired' : `expires ${mutation.expiresAt}`;
  return `${describeMutation(mutation)} — run ${mutation.runId}, fault ${mutation.faultId}; from ${leftover.sources.join(' + ')}; ${expiry}`;
}

function report(leftovers: readonly Leftover[], io: CliIo): void {
  const failed = leftovers.filter((leftover) => !isRecovered(leftover));
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
  if (failed.length > 0) {
    throw new HarnessError(
      `${failed.length} of ${leftovers.length} leftover(s) could not be reverted`,
      'run the "by hand" commands above, then `chaos recover` again to check',
    );
  }
  io.out(`recovered: ${leftovers.length} leftover(s) undone or already back`);
}
