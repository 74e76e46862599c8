/**
 * `chaos plan`: every mutation a run (or each run of a suite) would make, cluster by cluster,
 * the load per ingress, what the clusters as they are now would refuse, and the parity of the
 * targeted services. Reads clusters when it can; changes nothing.
 */
import type { CliIo } from '../system/io.js';
import { checkScenario } from './load-inputs.js';
import { checkClusters, throwIfRefused, type ClusterCheck } from './check-clusters.js';
import { readYamlFile, resolveFileRef } from '../input/files.js';
import type { YamlSource } from '../input/yaml-source.js';
import { findSuiteFile } from './suite/read-suite.js';
import { planSuite } from './suite/plan-suite.js';
import { parsePhaseOverrides } from '../input/phase-overrides.js';
import { outputSchemaVersion, type PlanOutput } from '../report/output-schemas.js';
import { toPlanDocument } from '../report/plan-document.js';
import { renderPlan } from '../report/render-plan.js';
import { buildPlan, type RunPlan } from '../run/plan/build-plan.js';
import { planParity } from './plan-parity.js';

export interface PlanOptions {
  env?: string;
  phase?: string[];
  json: boolean;
}

export async function planRuns(ref: string, options: PlanOptions, io: CliIo): Promise<void> {
  const suiteFile = findSuiteFile(ref, io.cwd);
  let suite: string | undefined;
  let plans: RunPlan[];
  let source: YamlSource | undefined;
  if (suiteFile) {
    const planned = planSuite(suiteFile, { cwd: io.cwd, env: options.env, phase: options.phase });
    suite = planned.suite.name;
    plans = planned.plans;
  } else {
    source = readYamlFile(resolveFileRef(ref, 'scenarios', 'scenario', io.cwd), io.cwd);
    const { scenario, environment } = checkScenario(source, options.env, io.cwd);
    plans = [buildPlan(scenario, environment, 'plan', parsePhaseOverrides(options.phase ?? []))];
  }
  // What the run would refuse, read from the clusters as they are now (when they can be read).
  const checks: ClusterCheck[] = [];
  for (const plan of plans) checks.push(await checkClusters(plan, io.cwd));
  const refuse = () => {
    for (const [index, check] of checks.entries())
      throwIfRefused(index === 0 ? source : undefined, plans[index]!.scenario.file, check.checks);
  };
  if (options.json) {
    refuse();
    const document: PlanOutput = {
      schemaVersion: outputSchemaVersion,
      ...(suite ? { suite } : {}),
      plans: plans.map(toPlanDocument),
    };
    io.out(JSON.stringify(document, null, 2));
    return;
  }
  if (suite) io.out(`suite ${suite}: ${plans.length} scenario(s), one after another, each planned below\n`);
  io.out(plans.map((plan, index) => renderPlan(plan, checks[index])).join('\n\n'));
  // Parity of the targeted services across clusters (read-only; never starts a lab).
  for (const plan of plans) io.out(`\n${(await planParity(plan.scenario, plan.environment, io.cwd)).join('\n')}`);
  refuse();
}
