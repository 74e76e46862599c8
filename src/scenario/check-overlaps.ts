/**
 * One run, one owner per object: two faults of one phase may not change the same object in the
 * same cluster — two scales of one workload, a namespace drain and a scale of a workload in that
 * namespace, two drains of one namespace, two whole-cluster drains. The second would record the
 * first one's value as the "original", and a revert after `kill -9` would "restore" the fault.
 * Checked with the environment (validate --env, plan, run), before anything changes. Faults of
 * different phases never overlap: a phase's faults are reverted before the next phase starts.
 */
import type { PathSegment } from '../input/yaml-source.js';

type Loose = Record<string, unknown>;
type Report = (path: PathSegment[], message: string, hint?: string) => void;

/** What one fault owns in one cluster: a workload, every workload of a namespace, or the Nodes. */
interface Claim {
  cluster: string;
  /** `workload <ns>/<Kind>/<name>`, `namespace <ns>` or `nodes`. */
  what: string;
  namespace?: string;
  fault: string;
  path: PathSegment[];
}

export interface OverlapEnvironment {
  clusters: readonly string[];
  /** The app namespace a fault without `namespace` acts in. */
  namespace?: string;
}

export function checkOverlaps(raw: Loose, environment: OverlapEnvironment, report: Report): void {
  const phases: Array<{ faults: unknown; path: PathSegment[] }> = Array.isArray(raw.steps)
    ? raw.steps.map((step, index) => ({ faults: loose(step).faults, path: ['steps', index, 'faults'] }))
    : [{ faults: raw.faults, path: ['faults'] }];
  for (const phase of phases) {
    const claims: Claim[] = [];
    (Array.isArray(phase.faults) ? phase.faults : []).forEach((fault, index) =>
      claims.push(...claimsOf(loose(fault), index, [...phase.path, index], environment)),
    );
    for (const [index, claim] of claims.entries()) {
      const earlier = claims.slice(0, index).find((other) => overlaps(other, claim));
      if (!earlier) continue;
      report(
        claim.path,
        `fault ${claim.fault} changes ${describe(claim)} in cluster ${claim.cluster}, which fault ${earlier.fault} of the same phase already changes (${describe(earlier)}): one fault per object per phase`,
        'expected each workload, namespace drain and Node drain in one fault per phase: merge them, or move one to another step',
      );
    }
  }
}

function claimsOf(fault: Loose, index: number, path: PathSegment[], environment: OverlapEnvironment): Claim[] {
  const id = typeof fault.id === 'string' ? fault.id : `#${index + 1} (${String(fault.type)})`;
  const clusters =
    fault.cluster === 'all' || fault.cluster === undefined
      ? environment.clusters
      : (Array.isArray(fault.cluster) ? fault.cluster : [fault.cluster]).filter(
          (c): c is string => typeof c === 'string',
        );
  const namespace = typeof fault.namespace === 'string' ? fault.namespace : environment.namespace;
  const owned: Array<Pick<Claim, 'what' | 'namespace'>> = [];
  if (fault.type === 'scale' && typeof fault.name === 'string') {
    const kind = typeof fault.kind === 'string' ? fault.kind : 'Deployment';
    owned.push({ what: `workload ${namespace ?? '(app namespace)'}/${kind}/${fault.name}`, namespace });
  } else if (fault.type === 'drain') {
    if (Array.isArray(fault.namespaces))
      for (const ns of fault.namespaces)
        if (typeof ns === 'string') owned.push({ what: `namespace ${ns}`, namespace: ns });
    if (fault.namespaces === undefined) owned.push({ what: 'nodes' });
  }
  return clusters.flatMap((cluster) => owned.map((claim) => ({ ...claim, cluster, fault: id, path })));
}

function overlaps(a: Claim, b: Claim): boolean {
  if (a.cluster !== b.cluster) return false;
  if (a.what === b.what) return true;
  // A namespace drain scales every workload of its namespace.
  const namespaceOf = (claim: Claim) => (claim.what.startsWith('namespace ') ? claim.namespace : undefined);
  const workloadNs = (claim: Claim) => (claim.what.startsWith('workload ') ? claim.namespace : undefined);
  const drained = namespaceOf(a) ?? namespaceOf(b);
  const scaled = workloadNs(a) ?? workloadNs(b);
  return drained !== undefined && scaled !== undefined && drained === scaled;
}

function describe(claim: Claim): string {
  if (claim.what === 'nodes') return 'every Node (a drain)';
  if (claim.what.startsWith('namespace ')) return `every workload of namespace ${claim.namespace} (a namespace drain)`;
  return claim.what.replace(/^workload (.*)\/(\w+)\/(.*)$/, '$2 $1/$3');
}

function loose(value: unknown): Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
}
