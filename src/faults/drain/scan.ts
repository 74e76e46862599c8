/** Leftovers of the drain kind read from a cluster itself: Nodes a run cordoned (its annotations). */
import { annotation, runMarks } from '../annotations.js';
import type { LeftoverScan, LeftoverSink } from '../fault-kind.js';
import type { ClusterApi } from '../../kube/cluster-api.js';
import type { CordonMutation } from './mutations.js';

async function scanNodes(api: ClusterApi, result: LeftoverSink<CordonMutation>): Promise<void> {
  for (const node of await api.listNodes()) {
    const annotations = node.metadata?.annotations;
    const common = runMarks(api.cluster, annotations);
    if (common && annotations?.[annotation.cordoned] === 'true')
      result.mutations.push({ ...common, kind: 'cordon', node: node.metadata?.name ?? '' });
  }
}

export const drainScans: readonly LeftoverScan[] = [{ what: 'Nodes', watches: ['nodes'], scan: scanNodes }];
