import type { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CliIo } from '../io.js';
import { loadScenario } from '../inputs.js';
import { parsePhaseOverrides } from '../options.js';
import { assertMayMutate } from '../../environment/guard.js';
import { requireK6 } from '../../load/k6-binary.js';
import { renderEvent, renderProgress, renderVerdicts } from '../../report/render-console.js';
import { buildPlan } from '../../run/build-plan.js';
import { executeRun } from '../../run/execute-run.js';
import { judgeRun } from '../../run/judge-run.js';
import { createKubeFaultDriver } from '../../run/kube-fault-driver.js';
import { checkIngresses, openEnvironment } from '../../run/open-environment.js';
import type { RunEvent } from '../../run/run-events.js';
import { buildResult } from '../../run/run-result.js';
import { packageRoot } from '../../scenario/read-scenario.js';

interface RunOptions {
  env?: string;
  phase?: string[];
  yes?: boolean;
  quiet?: boolean;
  output: string;
  reports: string;
}

/** `20261122T021500Z` — sorts by time, safe in paths. */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function registerRun(program: Command, io: CliIo, status: { code: number }): void {
  program.command('run')
    .description('run a scenario: k6 load through every ingress, faults applied and always reverted, verdicts per phase and ingress')
    .argument('<scenario>', 'scenario name (in scenarios/) or file')
    .option('--env <name>', 'environment: lab (default: the scenario\'s) or a file in environments/')
    .option('--phase <name=duration...>', 'override a phase duration, e.g. --phase fault=20s (repeatable)')
    .option('--yes', 'allow changes to contexts that are not on the environment\'s allow-list')
    .option('--quiet', 'print only the verdict')
    .option('--output <format>', 'text, or json (the result document on stdout)', 'text')
    .option('--reports <dir>', 'where run folders go', 'reports')
    .action(async (ref: string, options: RunOptions) => {
      status.code = await runScenario(ref, options, io);
    });
}

async function runScenario(ref: string, options: RunOptions, io: CliIo): Promise<number> {
  const { scenario, environment } = loadScenario(ref, options.env, io.cwd);
  assertMayMutate(environment, options.yes === true);
  const k6 = await requireK6(io.env);
  const startedAt = Date.now();
  const runId = `r${startedAt.toString(36)}`;
  const plan = buildPlan(scenario, environment, runId, parsePhaseOverrides(options.phase ?? []));
  const runDir = path.resolve(io.cwd, options.reports, `${utcStamp(startedAt)}-${scenario.name}`);
  mkdirSync(runDir, { recursive: true });
  const human = options.output !== 'json' && !options.quiet;
  const say = (text: string) => { if (human) io.out(text); };

  // Signals: the first reverts and stops; a second skips waiting for k6, never the revert.
  const interrupt = new AbortController();
  const hurry = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupt.signal.aborted) {
      io.err(`\n${signal}: reverting every fault and stopping k6 (again to skip waiting for k6)`);
      interrupt.abort(`interrupted by ${signal}`);
    } else hurry.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const opened = await openEnvironment(environment, io.cwd);
  try {
    say(`environment ${environment.name}: ${opened.description}`);
    await checkIngresses(opened.ingressUrls, plan.load[0]?.host, scenario.load.paths[0] ?? '/');
    const driver = await createKubeFaultDriver({ plan, apis: opened.apis, runDir });
    let phase: { name: string; startedAtMs: number; plannedMs: number } | undefined;
    let pending: RunEvent[] = [];
    const emit = (event: RunEvent) => {
      driver.record(event);
      if (event.type === 'phase-started') phase = { name: event.phase, startedAtMs: event.atMs, plannedMs: event.plannedMs };
      if (event.type === 'window') {
        pending.push(event);
        const ingresses = new Set(pending.map((e) => (e.type === 'window' ? e.window.ingress : '')));
        if (ingresses.size >= plan.load.length) {
          say(renderProgress(phase, pending.map((e) => (e.type === 'window' ? e.window : undefined)).filter((w) => w !== undefined), Date.now()));
          pending = [];
        }
        return;
      }
      const line = renderEvent(event, startedAt);
      if (line) say(line);
    };
    emit({ type: 'run-started', atMs: startedAt, runId, scenario: scenario.name, environment: environment.name, runDir: path.relative(io.cwd, runDir) || runDir });
    const record = await executeRun(plan, { k6, driver, ingressUrls: opened.ingressUrls, runDir, emit, interrupt: interrupt.signal, hurry: hurry.signal, scriptPath: io.env.CHAOS_K6_SCRIPT || undefined });
    await driver.close();
    const outcome = judgeRun(plan, record);
    const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const result = buildResult(plan, record, outcome, { chaos: pkg.version, k6: k6.version }, runDir);
    writeFileSync(path.join(runDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (options.output === 'json') io.out(JSON.stringify(result, null, 2));
    else io.out(`${human ? '\n' : ''}${renderVerdicts(outcome)}\nresults: ${path.relative(io.cwd, runDir)}/`);
    return outcome.exitCode;
  } finally {
    await opened.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

