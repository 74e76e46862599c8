/**
 * Pods as the workload controllers stamp them out of a template: names, labels and owner
 * references shaped like the real ones (`frontend-7d9c8b6f5c-x2k4q`, `ledger-db-0`).
 */
import { createHash } from 'node:crypto';
import { admit } from '../api/admission.js';
import { resourceByKey, keys } from '../api/resource-types.js';
import { randomSuffix } from '../api/resource-handlers.js';
import type { Pod, Workload } from '../api/object-types.js';
import type { ClusterApi } from '../api/request-context.js';

const hashAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** A stable short hash of the pod template, as pod-template-hash / controller-revision-hash are. */
export function templateHash(workload: Workload): string {
  const digest = createHash('sha256').update(JSON.stringify(workload.spec.template)).digest();
  let hash = '';
  for (let i = 0; i < 10; i += 1) hash += hashAlphabet[(digest[i] ?? 0) % hashAlphabet.length];
  return hash;
}

function createPod(
  cluster: ClusterApi,
  workload: Workload,
  name: string,
  extraLabels: Record<string, string>,
  extraSpec: Record<string, unknown> = {},
): Pod {
  const template = workload.spec.template;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: workload.metadata.namespace,
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
      labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: workload.kind,
          name: workload.metadata.name,
          uid: workload.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...structuredClone(template.spec), ...extraSpec },
  };
  if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
  admit(resourceByKey(keys.pods), pod, cluster.allocator);
  return cluster.store.create(keys.pods, pod);
}

export function createDeploymentPod(cluster: ClusterApi, deployment: Workload, hash: string): Pod {
  return createPod(cluster, deployment, `${deployment.metadata.name}-${hash}-${randomSuffix()}`, {
    'pod-template-hash': hash,
  });
}

export function createStatefulSetPod(cluster: ClusterApi, set: Workload, ordinal: number, hash: string): Pod {
  const name = `${set.metadata.name}-${ordinal}`;
  const serviceName = typeof set.spec.serviceName === 'string' ? set.spec.serviceName : undefined;
  return createPod(
    cluster,
    set,
    name,
    {
      'controller-revision-hash': `${set.metadata.name}-${hash}`,
      'statefulset.kubernetes.io/pod-name': name,
      'apps.kubernetes.io/pod-index': String(ordinal),
    },
    { hostname: name, ...(serviceName ? { subdomain: serviceName } : {}) },
  );
}
