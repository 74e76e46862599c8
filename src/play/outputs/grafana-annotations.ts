/**
 * Which run events become Grafana annotations, with what text and tags (pure). The table is
 * docs/grafana.md's; the contract test checks a run against it.
 *
 * Every annotation is tagged `chaos`, `scenario:<name>`, `run:<run id>`, `environment:<name>`
 * and `event:<kind>`; one about a fault adds `cluster:<its cluster>`, any other every
 * `cluster:<name>` of the environment; all carry every `ingress:<name>` the run loads (each
 * ingress is measured during every event). The run itself is one region annotation, from its
 * start to its planned end while it runs, then to its real end with the verdict.
 */
import { formatDuration } from '../../input/units.js';
import { scrubText } from '../../report/scrub.js';
import type { RunPlan } from '../../run/plan/build-plan.js';
import type { RunEvent } from '../../run/record/run-events.js';

export interface Annotation {
  time: number;
  /** Only the run's region has one. */
  timeEnd?: number;
  text: string;
  tags: string[];
}

export interface RunTags {
  /** chaos, scenario, run and environment. */
  base: string[];
  clusters: string[];
  ingresses: string[];
}

export function runTags(plan: RunPlan): RunTags {
  return {
    base: ['chaos', `scenario:${plan.scenario.name}`, `run:${plan.runId}`, `environment:${plan.environment.name}`],
    clusters: plan.environment.clusters.map((cluster) => `cluster:${cluster.name}`),
    ingresses: plan.load.map((load) => `ingress:${load.ingress}`),
  };
}

const runWide = (tags: RunTags, kind: string) => [...tags.base, `event:${kind}`, ...tags.clusters, ...tags.ingresses];
const ofCluster = (tags: RunTags, kind: string, cluster: string) => [
  ...tags.base,
  `event:${kind}`,
  `cluster:${cluster}`,
  ...tags.ingresses,
];

const convergence = (how: 'status' | 'settle' | undefined) =>
  how === 'status'
    ? ' (data plane converged: VirtualService status)'
    : how === 'settle'
      ? ' (after the settle time)'
      : '';

/** The annotations of one event (none for most: windows, mutations, logs, the lock). */
export function annotationsOf(event: RunEvent, tags: RunTags): Annotation[] {
  switch (event.type) {
    case 'phase-started':
      return [
        {
          time: event.atMs,
          text: `phase ${event.phase} started (planned ${formatDuration(event.plannedMs)})`,
          tags: runWide(tags, 'phase-started'),
        },
      ];
    case 'fault-applied':
      return [
        {
          time: event.atMs,
          text: `fault ${event.faultId} applied in ${event.cluster}`,
          tags: ofCluster(tags, 'fault-applied', event.cluster),
        },
        {
          time: event.convergedAtMs ?? event.effectiveAtMs,
          text: `fault ${event.faultId} in effect in ${event.cluster}${convergence(event.convergence)}`,
          tags: ofCluster(tags, 'fault-converged', event.cluster),
        },
      ];
    case 'fault-reverted':
      return [
        {
          time: event.atMs,
          text: `fault ${event.faultId} reverted in ${event.cluster}${event.ok ? '' : ' — NOT completely'}`,
          tags: ofCluster(tags, 'fault-reverted', event.cluster),
        },
      ];
    case 'fault-revert-verified':
      return [
        {
          time: event.convergedAtMs ?? event.verifiedAtMs,
          text: `fault ${event.faultId} gone from ${event.cluster}${convergence(event.convergence)}`,
          tags: ofCluster(tags, 'fault-revert-converged', event.cluster),
        },
      ];
    case 'fault-failed':
      return [
        {
          time: event.atMs,
          text: `fault ${event.faultId} FAILED in ${event.cluster} (${event.stage}): ${scrubText(event.error)}`,
          tags: ofCluster(tags, 'fault-failed', event.cluster),
        },
      ];
    case 'abort':
      return [{ time: event.atMs, text: `ABORT: ${scrubText(event.reason)}`, tags: runWide(tags, 'abort') }];
    case 'revert-all':
      return [
        {
          time: event.atMs,
          text: `revert everything (${scrubText(event.reason)})${event.failures.length ? `; NOT reverted: ${scrubText(event.failures.join('; '))}` : ''}`,
          tags: runWide(tags, 'revert-all'),
        },
      ];
    case 'note':
      return [
        {
          time: event.atMs,
          text: `note${event.author ? ` (${event.author})` : ''}: ${event.text}`,
          tags: runWide(tags, 'note'),
        },
      ];
    default:
      return [];
  }
}

interface RunSpan {
  plan: RunPlan;
  startedAtMs: number;
}

/** The run's region while it runs: from its start to its planned end. */
export function openRegion(run: RunSpan, tags: RunTags): Annotation {
  return {
    time: run.startedAtMs,
    timeEnd: run.startedAtMs + run.plan.totalMs,
    text: `chaos run ${run.plan.runId}: ${run.plan.scenario.name} on ${run.plan.environment.name} — running`,
    tags: runWide(tags, 'run'),
  };
}

/** How a run ended: the status word (passed, failed, error, …), its exit code and why. */
export interface RunEnd {
  endedAtMs: number;
  status: string;
  exitCode: number;
  reason: string;
}

/** The region at the end: to the real end, with the verdict (the PATCH's fields). */
export function closedRegion(run: RunSpan, end: RunEnd, tags: RunTags): Required<Annotation> {
  return {
    time: run.startedAtMs,
    timeEnd: Math.max(run.startedAtMs, end.endedAtMs),
    text: `chaos run ${run.plan.runId}: ${run.plan.scenario.name} on ${run.plan.environment.name} — ${end.status.toUpperCase()} (exit ${end.exitCode}): ${scrubText(end.reason)}`,
    tags: [...runWide(tags, 'run'), `verdict:${end.status}`],
  };
}

/** A point at the run's end, with the verdict. */
export function endPoint(run: RunSpan, end: RunEnd, tags: RunTags): Annotation {
  return {
    time: end.endedAtMs,
    text: `${run.plan.scenario.name} ${end.status.toUpperCase()} (exit ${end.exitCode}): ${scrubText(end.reason)}`,
    tags: [...runWide(tags, 'run-ended'), `verdict:${end.status}`],
  };
}
