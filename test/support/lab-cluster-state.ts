/**
 * What a run may change in a lab, read from its API (both clusters): the app's and
 * istio-system's Deployments (replicas and chaos annotations), the HorizontalPodAutoscalers' bounds
 * and chaos annotations (a scale fault pins them), the gateway-bound routes, the chaos
 * VirtualServices, the Nodes' cordons and the Leases. Tests compare it before and after, so
 * "reverted" and "changed nothing" are the cluster's word, not the run's.
 */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';

export async function labClusterState(kubeconfigFile: string, namespace = 'bank-of-anthos'): Promise<unknown> {
  const state: Record<string, unknown> = {};
  for (const cluster of ['central', 'west']) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigFile);
    kc.setCurrentContext(`lab-${cluster}`);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const deployments = await apps.listNamespacedDeployment({ namespace });
    // istiod and the east-west gateway (control-plane, east-west-gateway).
    const system = await apps.listNamespacedDeployment({ namespace: 'istio-system' });
    const vs = (await custom.listNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace,
      plural: 'virtualservices',
    })) as { items: Array<{ metadata: { name: string }; spec: unknown }> };
    const nodes = await core.listNode();
    const leases = await coordination.listNamespacedLease({ namespace });
    const hpas = await kc.makeApiClient(AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace });
    state[cluster] = {
      deployments: deployments.items.map((d) => ({
        name: d.metadata?.name,
        replicas: d.spec?.replicas,
        chaos: Object.keys(d.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/')),
      })),
      system: system.items.map((d) => ({
        name: d.metadata?.name,
        replicas: d.spec?.replicas,
        chaos: Object.keys(d.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/')),
      })),
      hpas: hpas.items.map((h) => ({
        name: h.metadata?.name,
        minReplicas: h.spec?.minReplicas,
        maxReplicas: h.spec?.maxReplicas,
        chaos: Object.keys(h.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/')),
      })),
      virtualServices: vs.items.map((item) => ({ name: item.metadata.name, spec: item.spec })),
      nodes: nodes.items.map((n) => ({
        name: n.metadata?.name,
        unschedulable: n.spec?.unschedulable ?? false,
        chaos: Object.keys(n.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/')),
      })),
      leases: leases.items.map((lease) => lease.metadata?.name),
    };
  }
  return state;
}
