/**
 * Leftovers read from a cluster itself, for `chaos recover` without a journal and for the guard:
 * each fault kind scans the objects it marks (faults/<kind>/scan.ts) and rebuilds the mutation
 * records from our annotations; Istio routes that lost theirs are only suspects.
 */
import { errorText } from '../../errors/errors.js';
import type { Suspect } from '../../faults/fault-kind.js';
import type { Mutation } from '../../faults/mutation.js';
import { leftoverScans } from '../../faults/registry.js';
import type { ClusterApi } from '../../kube/cluster-api.js';

export { suspectMutation } from '../../faults/istio/scan.js';

export interface ScanResult {
  cluster: string;
  mutations: Mutation[];
  /** Routes that look like ours but carry no annotation: `{ runId, namespace, virtualService, route }`. */
  suspects: Suspect[];
  problems: string[];
  /** What could not be listed at all (unreachable, 403): the scan of this cluster is incomplete. */
  unscanned: string[];
}

/** Every leftover of any run in one cluster. Each kind is scanned even if another fails. */
export async function scanCluster(api: ClusterApi): Promise<ScanResult> {
  const result: ScanResult = { cluster: api.cluster, mutations: [], suspects: [], problems: [], unscanned: [] };
  for (const { what, scan } of leftoverScans) {
    try {
      await scan(api, result);
    } catch (error) {
      result.problems.push(`could not scan ${what} of ${api.cluster}: ${errorText(error)}`);
      result.unscanned.push(`${what}: ${errorText(error)}`);
    }
  }
  return result;
}
