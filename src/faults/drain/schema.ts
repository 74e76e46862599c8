/** The `drain` fault in a scenario file, and its normalized form. */
import { z } from 'zod';
import { k8sName } from '../../input/schema-parts.js';
import { clusterRef, faultCommon, type FaultBase, type NormalizeContext } from '../fault-schema.js';

export const drainFault = z
  .strictObject({
    type: z.literal('drain'),
    cluster: clusterRef,
    id: faultCommon.id,
    namespaces: z.array(k8sName).min(1).optional().meta({
      description:
        "Remove only these namespaces' Pods, without cordoning any Node (their workloads are scaled to zero); default: every namespace",
    }),
    force: z.boolean({ error: 'expected true or false' }).default(false).meta({
      description: 'Like kubectl drain --force: also remove Pods that no controller manages (they do not come back)',
    }),
    deleteEmptyDirData: z.boolean({ error: 'expected true or false' }).default(false).meta({
      description:
        'Like kubectl drain --delete-emptydir-data: also remove Pods with emptyDir volumes (their data is lost)',
    }),
    allowDataLoss: z.boolean({ error: 'expected true or false' }).default(false).meta({
      description: 'Allow scaling down StatefulSets whose PVC retention policy deletes volumes (namespace drain)',
    }),
  })
  .meta({
    description:
      'Like kubectl drain: cordon every node and evict its Pods (PDBs respected), or with namespaces: scale those namespaces to zero; revert uncordons only what this run still holds.',
  });

export interface DrainFault extends FaultBase {
  type: 'drain';
  /**
   * Only Pods of these namespaces are removed; undefined = every namespace (cordon + evict).
   * With namespaces, no Node is cordoned: the namespaces' workloads are scaled to zero instead.
   */
  namespaces?: string[];
  /** Like `kubectl drain --force`: also remove Pods no controller will replace. */
  force: boolean;
  /** Like `kubectl drain --delete-emptydir-data`: also remove Pods whose emptyDir data is lost with them. */
  deleteEmptyDirData: boolean;
  /** Also scale down StatefulSets whose PVC retention policy deletes volumes (namespace drain). */
  allowDataLoss: boolean;
}

export function normalizeDrain(raw: z.output<typeof drainFault>, { base }: NormalizeContext): DrainFault {
  const { namespaces, force, deleteEmptyDirData, allowDataLoss } = raw;
  return { type: 'drain', ...base, namespaces, force, deleteEmptyDirData, allowDataLoss };
}
