/** The `scale` fault in a scenario file, and its normalized form. */
import { z } from 'zod';
import { k8sName } from '../../input/schema-parts.js';
import { faultCommon, type FaultBase, type NormalizeContext } from '../fault-schema.js';

export const scaleFault = z
  .strictObject({
    type: z.literal('scale'),
    ...faultCommon,
    kind: z.enum(['Deployment', 'StatefulSet'], { error: 'expected Deployment or StatefulSet' }).default('Deployment'),
    name: k8sName,
    replicas: z
      .number({ error: 'expected a whole number of replicas, 0 or more' })
      .int({ error: 'expected a whole number of replicas, 0 or more' })
      .min(0, { error: 'expected a whole number of replicas, 0 or more' }),
    allowDataLoss: z.boolean({ error: 'expected true or false' }).default(false).meta({
      description:
        'Allow scaling down a StatefulSet whose persistentVolumeClaimRetentionPolicy.whenScaled is Delete (its volumes are deleted)',
    }),
  })
  .meta({
    description: 'Scale a Deployment or StatefulSet through its scale subresource; reverted to the recorded count.',
  });

export interface ScaleFault extends FaultBase {
  type: 'scale';
  namespace?: string;
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
  /** Scale down a StatefulSet whose PVC retention policy deletes volumes (`whenScaled: Delete`). */
  allowDataLoss: boolean;
}

export function normalizeScale(raw: z.output<typeof scaleFault>, { base }: NormalizeContext): ScaleFault {
  const { namespace, kind, name, replicas, allowDataLoss } = raw;
  return { type: 'scale', ...base, namespace, kind, name, replicas, allowDataLoss };
}
