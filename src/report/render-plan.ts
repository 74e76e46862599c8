import path from 'node:path';
import type { RunPlan } from '../run/plan/build-plan.js';
import type { FaultCheck } from '../run/plan/check-plan.js';
import { formatDuration } from '../input/units.js';
import { sampleWarnings } from '../budgets/sample-warnings.js';

/** `chaos plan` output: every mutation per cluster, then the load per ingress. Pure. */
export function renderPlan(plan: RunPlan, clusters?: { checks: readonly FaultCheck[]; unread?: string }): string {
  const { scenario, environment } = plan;
  const lines = [
    `scenario ${scenario.name} (${scenario.file}) on environment ${environment.name}; expect ${scenario.expect}`,
    `  ${scenario.description.trim().split('\n').join('\n  ')}`,
    '',
    `timeline (${formatDuration(plan.totalMs)} in all):`,
    ...timelineLines(plan, clusters?.checks ?? []),
    '',
    'load (k6 constant-arrival-rate, one scenario per ingress):',
    ...loadLines(plan),
  ];
  const budgets = scenario.budgets.map(
    (budget) => `  ${budget.phase}: ${budget.selector.source}: ${budget.threshold.source}`,
  );
  if (budgets.length) lines.push('', 'budgets (per phase, per ingress):', ...budgets);
  if (scenario.load.script?.ownScenarios)
    lines.push(
      '',
      `warning: the script declares its own options.scenarios: each runs once per ingress, fitted to the phases; load.rate (${scenario.load.ratePerSecond}/s) does not drive k6, it only sets the requests per second the delivery check and these warnings expect`,
    );
  const thin = sampleWarnings(scenario.budgets, plan.phases, plan.load[0]?.ratePerSecond ?? 0);
  if (thin.length) lines.push('', 'warning: too few samples for these percentiles:', ...thin.map((w) => `  ! ${w}`));
  const aborts = scenario.abortLimits.map((limit) => `  ${limit.selector.source}: ${limit.threshold.source}`);
  if (aborts.length) lines.push('', 'abort limits (every window):', ...aborts);
  if (clusters?.unread) lines.push('', `clusters not read: ${clusters.unread}`);
  else if (clusters) {
    const refused = clusters.checks.reduce((sum, check) => sum + check.refusals.length, 0);
    lines.push(
      '',
      refused > 0
        ? `${refused} refusal(s): the run would refuse this scenario as it stands.`
        : 'clusters read: nothing refused.',
    );
  }
  lines.push('', 'nothing was changed (plan only).');
  return lines.join('\n');
}

/** Each phase from its start, its faults, and per target cluster the mutations and what the cluster refuses. */
function timelineLines(plan: RunPlan, checks: readonly FaultCheck[]): string[] {
  const lines: string[] = [];
  for (const phase of plan.phases) {
    lines.push(
      `  ${formatDuration(phase.startMs)}  phase ${phase.name} (${formatDuration(phase.durationMs)})${phase.faults.length ? '' : ': no faults'}`,
    );
    for (const { fault, targets } of phase.faults) {
      lines.push(`    fault ${fault.id} (${fault.type})`);
      for (const target of targets) {
        const serves = target.workloadClusters?.filter((name) => name !== target.cluster) ?? [];
        lines.push(
          `      cluster ${target.cluster} (context ${target.context})${serves.length > 0 ? `, the Istio config cluster of ${serves.join(', ')}` : ''}:`,
        );
        for (const mutation of target.mutations) lines.push(`        - ${mutation}`);
        for (const check of checks) {
          if (check.faultId !== fault.id || check.cluster !== target.cluster || check.phase !== phase.name) continue;
          if (check.unread) lines.push(`        ! could not read the cluster to check: ${check.unread}`);
          for (const refusal of check.refusals)
            lines.push(
              `        ✗ REFUSED: ${refusal.object}: ${refusal.reason}${refusal.override ? ` (override: ${refusal.override})` : ''}`,
            );
        }
      }
    }
  }
  return lines;
}

/** Per ingress what k6 sends where, and how the serving cluster of a response is told. */
function loadLines(plan: RunPlan): string[] {
  const { scenario } = plan;
  const lines: string[] = [];
  for (const load of plan.load) {
    const what = load.script
      ? `script ${path.relative(path.dirname(path.resolve(scenario.file)), load.script.file)} ${scenario.load.script?.ownScenarios ? 'with its own scenarios' : `${load.ratePerSecond} iterations/s`}`
      : `${load.method} ${load.ratePerSecond}/s`;
    lines.push(
      `  ingress ${load.ingress}: ${what} → ${load.target}${load.script ? '' : ` paths ${load.paths.join(' ')}`}` +
        `${load.host ? ` Host: ${load.host}` : ''}, timeout ${formatDuration(load.timeoutMs)}, VUs ${load.preAllocatedVUs}..${load.maxVUs}`,
    );
  }
  const servedBy = plan.load[0]?.servedBy;
  lines.push(
    `  served by: ${
      !servedBy || servedBy.kind === 'none'
        ? 'not measured (no servedBy in the environment or scenario)'
        : servedBy.kind === 'upstream-address'
          ? `the gateway's ${servedBy.header} header (upstream Pod address → cluster by EndpointSlices)`
          : servedBy.kind === 'header'
            ? `the response header ${servedBy.header}`
            : `the response body pattern ${servedBy.pattern}`
    }`,
  );
  const outputs = plan.load[0]?.outputs ?? [];
  if (outputs.length > 0) lines.push(`  k6 outputs besides the harness's: ${outputs.join(', ')}`);
  return lines;
}
