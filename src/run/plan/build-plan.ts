/**
 * Assemble the run plan (pure): the phase timeline with every mutation per cluster, and the
 * load per ingress. `chaos plan` prints it; `chaos run` executes it.
 */
import { InputError } from '../../errors/errors.js';
import type { Environment, EnvironmentCluster } from '../../environment/types.js';
import type { FaultTarget } from '../../faults/fault-plugin.js';
import type { IngressLoad } from '../../load/ingress-load.js';
import { pluginFor } from '../../faults/registry.js';
import type { ClusterSelection, Fault, Scenario } from '../../scenario/types.js';

export interface PlannedFault {
  fault: Fault;
  targets: Array<FaultTarget & { mutations: string[] }>;
}

export interface PlannedPhase {
  name: string;
  startMs: number;
  durationMs: number;
  faults: PlannedFault[];
}

export interface RunPlan {
  scenario: Scenario;
  environment: Environment;
  runId: string;
  phases: PlannedPhase[];
  load: IngressLoad[];
  totalMs: number;
}

export function buildPlan(
  scenario: Scenario,
  environment: Environment,
  runId: string,
  phaseOverrides: Record<string, number> = {},
): RunPlan {
  const unknown = Object.keys(phaseOverrides).filter((name) => !scenario.phases.some((phase) => phase.name === name));
  if (unknown.length > 0) {
    throw new InputError(
      `--phase names no phase of ${scenario.name}: ${unknown.join(', ')}`,
      [],
      `phases: ${scenario.phases.map((phase) => phase.name).join(', ')}`,
    );
  }
  let startMs = 0;
  const phases = scenario.phases.map((phase) => {
    const durationMs = phaseOverrides[phase.name] ?? phase.durationMs;
    const planned: PlannedPhase = {
      name: phase.name,
      startMs,
      durationMs,
      faults: phase.faults.map((fault) => planFault(fault, environment, runId)),
    };
    startMs += durationMs;
    return planned;
  });
  return { scenario, environment, runId, phases, load: planLoad(scenario, environment), totalMs: startMs };
}

/** One fault's targets (Istio faults: their config clusters) and what it changes in each. */
export function planFault(fault: Fault, environment: Environment, runId: string): PlannedFault {
  const plugin = pluginFor(fault);
  const namespace = 'namespace' in fault && fault.namespace ? fault.namespace : environment.namespace;
  const selected = selectClusters(fault.clusters, environment);
  const common = {
    namespace,
    runId,
    ...(environment.istioConvergence ? { istioConvergence: environment.istioConvergence } : {}),
    ...(environment.protectedPods ? { protectedPods: environment.protectedPods } : {}),
  };
  const targets: FaultTarget[] = isIstioFault(fault)
    ? istioTargets(selected, environment).map(({ cluster, workloadClusters }) => ({
        ...common,
        cluster: cluster.name,
        context: cluster.context,
        workloadClusters,
      }))
    : selected.map((cluster) => ({ ...common, cluster: cluster.name, context: cluster.context }));
  return { fault, targets: targets.map((target) => ({ ...target, mutations: plugin.plan(fault, target) })) };
}

function isIstioFault(fault: Fault): boolean {
  return fault.type === 'istio-delay' || fault.type === 'istio-abort';
}

/**
 * Istio config is read from the cluster that holds it (istioConfigCluster; default the cluster
 * itself): an Istio fault is written once per config cluster, for the workload clusters it serves.
 */
function istioTargets(
  selected: readonly EnvironmentCluster[],
  environment: Environment,
): Array<{ cluster: EnvironmentCluster; workloadClusters: string[] }> {
  const byConfig = new Map<string, { cluster: EnvironmentCluster; workloadClusters: string[] }>();
  for (const workload of selected) {
    const name = workload.istioConfigCluster ?? workload.name;
    const [cluster] = selectClusters({ kind: 'named', names: [name] }, environment);
    const entry = byConfig.get(name) ?? { cluster: cluster!, workloadClusters: [] };
    entry.workloadClusters.push(workload.name);
    byConfig.set(name, entry);
  }
  return [...byConfig.values()];
}

function selectClusters(selection: ClusterSelection, environment: Environment): EnvironmentCluster[] {
  if (selection.kind === 'all') return environment.clusters;
  return selection.names.map((name) => {
    const cluster = environment.clusters.find((candidate) => candidate.name === name);
    if (!cluster)
      throw new InputError(
        `cluster "${name}" is not in environment "${environment.name}" (${environment.clusters.map((c) => c.name).join(', ')})`,
      );
    return cluster;
  });
}

function planLoad(scenario: Scenario, environment: Environment): IngressLoad[] {
  const names = scenario.load.ingresses ?? environment.clusters.map((cluster) => cluster.name);
  return names.map((name) => {
    const [cluster] = selectClusters({ kind: 'named', names: [name] }, environment);
    const ingress = cluster!.ingress;
    const target =
      ingress.kind === 'url'
        ? ingress.url
        : `${ingress.scheme}://<LoadBalancer address of Service ${ingress.namespace}/${ingress.name}>:${ingress.port}`;
    const rate = scenario.load.ratePerSecond;
    const needed = Math.max(1, Math.ceil(rate * (scenario.load.timeoutMs / 1000)));
    const cap = scenario.load.maxVUs ?? needed * 2;
    const preAllocatedVUs = Math.min(needed, cap);
    return {
      ingress: name,
      target,
      ratePerSecond: rate,
      method: scenario.load.method,
      paths: scenario.load.paths,
      host: scenario.load.host ?? environment.host,
      timeoutMs: scenario.load.timeoutMs,
      preAllocatedVUs,
      maxVUs: cap,
      script: scenario.load.script && {
        file: scenario.load.script.file,
        metrics: Object.keys(scenario.load.script.metrics),
      },
      outputs: scenario.load.outputs,
      servedBy: scenario.load.servedBy ?? environment.servedBy ?? { kind: 'none' as const },
    };
  });
}
