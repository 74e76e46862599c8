/**
 * `load.runner: k6-operator` for a run: a load starter with the local k6's signature that puts
 * the same script and config into a TestRun in the chosen cluster, and records the objects it
 * created in the run folder (k6-testrun.json) next to the local run's k6-config.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors/errors.js';
import { connectionOf } from '../../environment/connect.js';
import { connectK6Operator, type K6OperatorCalls } from '../../kube/k6-operator-calls.js';
import type { RunPlan } from '../plan/build-plan.js';
import type { OperatorRunner } from '../../scenario/types.js';
import { packageRoot } from '../../input/files.js';
import { chaosModulePath, loadScriptPath, recorderModulePath } from '../../load/k6-args.js';
import { buildDistributedLoad } from '../../load/k6-operator-testrun.js';
import { startK6OperatorRun } from '../../load/k6-operator-run.js';
import type { startK6 } from '../../load/k6-run.js';

export interface OperatorLoadInput {
  api: K6OperatorCalls;
  runId: string;
  runner: OperatorRunner;
  /** The environment's app namespace, the default of the TestRun's. */
  defaultNamespace: string;
}

export function operatorLoadStarter(input: OperatorLoadInput) {
  return (options: Parameters<typeof startK6>[0]) => {
    const script = readFileSync(options.scriptPath ?? path.join(packageRoot, loadScriptPath), 'utf8');
    const config = { ...options.config, epochMs: options.config.epochMs ?? Date.now() };
    const load = buildDistributedLoad({
      runId: input.runId,
      runner: input.runner,
      defaultNamespace: input.defaultNamespace,
      config,
      script,
      chaosModule: readFileSync(path.join(packageRoot, chaosModulePath), 'utf8'),
      recorder: readFileSync(path.join(packageRoot, recorderModulePath), 'utf8'),
    });
    writeFileSync(path.join(options.runDir, 'k6-config.json'), JSON.stringify(config, null, 2));
    writeFileSync(
      path.join(options.runDir, 'k6-testrun.json'),
      `${JSON.stringify({ cluster: input.api.cluster, testRun: load.testRun, configMap: { ...load.configMap.metadata } }, null, 2)}\n`,
    );
    return startK6OperatorRun({
      api: input.api,
      load,
      onSample: options.onSample,
      onLog: options.onLog,
      lifetimeMs: (options.config.durationSeconds + 600) * 1000,
      epochMs: config.epochMs,
      servedBy: options.servedBy,
    });
  };
}

/** The load starter of a plan whose scenario says `runner: k6-operator`; undefined for a local k6. */
export function operatorLoadFor(plan: RunPlan, cwd: string): ReturnType<typeof operatorLoadStarter> | undefined {
  const runner = plan.scenario.load.runner;
  if (!runner) return undefined;
  const { environment } = plan;
  if (environment.builtIn) {
    throw new InputError(
      `${plan.scenario.name}: load.runner k6-operator needs a real cluster; the lab lives on this machine's loopback, which runner Pods cannot reach`,
      [],
      'run it with --env <environment>, or use the local runner on the lab',
    );
  }
  const cluster = runner.cluster ?? environment.clusters[0]?.name;
  if (!cluster || !environment.clusters.some((c) => c.name === cluster)) {
    throw new InputError(
      `load.operator.cluster "${cluster ?? ''}" is not a cluster of environment ${environment.name} (${environment.clusters.map((c) => c.name).join(', ')})`,
    );
  }
  return operatorLoadStarter({
    api: connectK6Operator(connectionOf(environment, cluster), { cwd }),
    runId: plan.runId,
    runner,
    defaultNamespace: environment.namespace,
  });
}
