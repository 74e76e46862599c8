/**
 * What the real server rejects and defaults on autoscaling/v2 HorizontalPodAutoscalers (its
 * typed validation and SetDefaults), and what KEDA's ScaledObject CRD schema requires, for the
 * fields the lab's autoscaler controllers act on.
 */
import type { KubeObject } from './object-types.js';
import { Causes, checkArray, checkInteger, checkObject } from './field-checks.js';

function checkScaleTargetRef(causes: Causes, path: string, ref: unknown, kindRequired: boolean): void {
  if (!checkObject(causes, path, ref, true)) return;
  if (kindRequired && (typeof ref.kind !== 'string' || ref.kind === '')) causes.required(`${path}.kind`);
  if (typeof ref.name !== 'string' || ref.name === '') causes.required(`${path}.name`);
}

export function checkHorizontalPodAutoscaler(causes: Causes, object: KubeObject): void {
  const spec = object.spec;
  if (!checkObject(causes, 'spec', spec, true)) return;
  checkScaleTargetRef(causes, 'spec.scaleTargetRef', spec.scaleTargetRef, true);
  // SetDefaults_HorizontalPodAutoscaler: one replica at least, CPU at 80 % when no metric is given.
  spec.minReplicas ??= 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0)
    spec.metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ];
  checkInteger(causes, 'spec.minReplicas', spec.minReplicas, 1);
  if (spec.maxReplicas === undefined) causes.required('spec.maxReplicas');
  checkInteger(causes, 'spec.maxReplicas', spec.maxReplicas, 1);
  if (
    typeof spec.minReplicas === 'number' &&
    typeof spec.maxReplicas === 'number' &&
    spec.maxReplicas < spec.minReplicas
  )
    causes.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`');
  object.status ??= { currentReplicas: 0, desiredReplicas: 0 };
}

/** KEDA's CRD schema: scaleTargetRef.name and triggers are required; replica counts are integers. */
export function checkScaledObject(causes: Causes, object: KubeObject): void {
  const spec = object.spec;
  if (!checkObject(causes, 'spec', spec, true)) return;
  checkScaleTargetRef(causes, 'spec.scaleTargetRef', spec.scaleTargetRef, false);
  if (spec.triggers === undefined) causes.required('spec.triggers');
  checkArray(causes, 'spec.triggers', spec.triggers, false);
  for (const field of ['minReplicaCount', 'maxReplicaCount', 'idleReplicaCount', 'pollingInterval', 'cooldownPeriod'])
    checkInteger(causes, `spec.${field}`, spec[field], 0);
}
