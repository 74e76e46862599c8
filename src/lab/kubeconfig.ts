/** The lab's kubeconfig: one context per cluster (`lab-central`, `lab-west`), CA data, token user. */
import { stringify } from 'yaml';

export interface KubeconfigCluster {
  context: string;
  apiUrl: string;
}

export function renderKubeconfig(clusters: readonly KubeconfigCluster[], caPem: string, token: string): string {
  const caData = Buffer.from(caPem, 'utf8').toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': clusters[0]?.context ?? '',
    clusters: clusters.map((cluster) => ({
      name: cluster.context,
      cluster: { server: cluster.apiUrl, 'certificate-authority-data': caData },
    })),
    users: [{ name: 'lab-admin', user: { token } }],
    contexts: clusters.map((cluster) => ({
      name: cluster.context,
      context: { cluster: cluster.context, user: 'lab-admin' },
    })),
  });
}
