/**
 * What every fault of a scenario file has, raw and normalized: the cluster(s) it hits, its
 * namespace and its id; and what a kind's normalizer may use. Each kind's own fields are in its
 * folder (`<kind>/schema.ts`); the registry joins them into the scenario's `faults` entry.
 */
import { z } from 'zod';
import { k8sName } from '../input/schema-parts.js';
import { parseDuration } from '../input/units.js';
import type { PathSegment } from '../input/yaml-source.js';

export const clusterRef = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: 'expected a cluster name of the environment (central, west), "all", or a list of cluster names',
  })
  .meta({ description: 'Cluster(s) the fault hits: a name from the environment, "all", or a list' });

export const faultCommon = {
  cluster: clusterRef,
  namespace: k8sName.optional().meta({ description: "Defaults to the environment's app namespace" }),
  id: k8sName.optional().meta({ description: 'A name for this fault in reports; defaults to <type>-<index>' }),
};

/** Cluster names a fault hits, after "all" is expanded against the environment. */
export type ClusterSelection = { kind: 'all' } | { kind: 'named'; names: string[] };

export interface FaultBase {
  /** Unique within the scenario: reports and journals name the fault by it. */
  id: string;
  clusters: ClusterSelection;
}

/** What a kind's normalizer gets besides the raw fault: the common fields, and where to report a problem. */
export interface NormalizeContext {
  base: FaultBase;
  /** The fault's path in the file, e.g. ['faults', 0]. */
  at: PathSegment[];
  report(path: PathSegment[], message: string, hint?: string, at?: 'key' | 'value'): void;
}

/** The schema already checked these values; a failure here is a bug, not bad input. */
export function checked<T>(parsed: { ok: true; value: T } | { ok: false; expected: string }): T {
  if (!parsed.ok) throw new Error(`schema let through a value that is not ${parsed.expected}`);
  return parsed.value;
}

export function checkedMs(text: string): number {
  return checked(parseDuration(text));
}
