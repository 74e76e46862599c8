/**
 * The moving parts of a real cluster, minus real kubelets: kube-controller-manager (Deployments →
 * ReplicaSets → Pods, EndpointSlices, disruption budgets, garbage collection), kube-scheduler, and
 * kwok, which plays the kubelets of simulated Nodes (Ready, Pod IPs, Running, deletion).
 */
import path from 'node:path';
import { jsonOf, rawRequest, waitFor, type ApiEndpoint } from './real-http.js';
import type { ProcessSandbox } from './real-processes.js';
import type { KubeTools } from './real-tools.js';

export interface ControllerSetup {
  clusterName: string;
  tools: KubeTools;
  sandbox: ProcessSandbox;
  endpoint: ApiEndpoint;
  kubeconfigFile: string;
  nodes: number;
  timeoutMs: number;
}

/** Pods must tolerate this taint and select this label to land on kwok's Nodes. */
const kwokNodeTaint = { key: 'kwok.x-k8s.io/node', value: 'fake', effect: 'NoSchedule' } as const;
const kwokNodeLabel = { type: 'kwok' } as const;

interface NodeStatus {
  status?: { conditions?: { type: string; status: string }[] };
}

export async function startControllers(setup: ControllerSetup): Promise<string[]> {
  const { sandbox, tools, kubeconfigFile } = setup;
  sandbox.start('kube-controller-manager', tools.kubeControllerManager, [
    `--kubeconfig=${kubeconfigFile}`,
    '--leader-elect=false',
    // 0 turns the HTTPS endpoint off: two clusters would fight over the default port.
    '--secure-port=0',
    `--service-account-private-key-file=${path.join(sandbox.dir, 'sa.key')}`,
    '--use-service-account-credentials=false',
    '--controllers=*',
  ]);
  sandbox.start('kube-scheduler', tools.kubeScheduler, [
    `--kubeconfig=${kubeconfigFile}`,
    '--leader-elect=false',
    '--secure-port=0',
  ]);
  sandbox.start('kwok', tools.kwok, [
    `--kubeconfig=${kubeconfigFile}`,
    `--config=${tools.kwokStages}`,
    `--manage-nodes-with-annotation-selector=${kwokNodeTaint.key}=${kwokNodeTaint.value}`,
    // Lease heartbeats keep the node-lifecycle controller from marking the Nodes NotReady.
    '--node-lease-duration-seconds=40',
    '--cidr=10.244.0.0/16',
    '--node-ip=10.250.0.1',
  ]);

  const nodeNames: string[] = [];
  for (let index = 1; index <= setup.nodes; index += 1) {
    const name = `${setup.clusterName}-node-${index}`;
    const response = await rawRequest(setup.endpoint, {
      method: 'POST',
      path: '/api/v1/nodes',
      body: nodeManifest(name, setup.clusterName),
    });
    if (response.status !== 201)
      throw new Error(`creating Node ${name} failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
    nodeNames.push(name);
  }
  const componentNames = ['kube-controller-manager', 'kube-scheduler', 'kwok'];
  const checkComponents = (): void => {
    for (const entry of sandbox.processes) {
      if (componentNames.includes(entry.name) && entry.state() !== 'running') {
        throw new Error(`${entry.name} ended (${entry.state()}):\n${sandbox.logTail(entry.name)}`);
      }
    }
  };
  for (const name of nodeNames) {
    await waitFor(
      `kwok to make Node ${name} Ready`,
      async () => {
        checkComponents();
        const node = jsonOf<NodeStatus>(
          await rawRequest(setup.endpoint, { method: 'GET', path: `/api/v1/nodes/${name}` }),
        );
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
      },
      { timeoutMs: setup.timeoutMs, intervalMs: 500, describe: () => sandbox.logTail('kwok', 5) },
    );
  }
  // The controller manager is ready for Deployments once its service-account controller has run.
  await waitFor(
    'kube-controller-manager to create the default ServiceAccount',
    async () => {
      checkComponents();
      const response = await rawRequest(setup.endpoint, {
        method: 'GET',
        path: '/api/v1/namespaces/default/serviceaccounts/default',
      });
      return response.status === 200 ? true : undefined;
    },
    { timeoutMs: setup.timeoutMs, intervalMs: 500, describe: () => sandbox.logTail('kube-controller-manager', 5) },
  );
  return nodeNames;
}

function nodeManifest(name: string, clusterName: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [kwokNodeTaint.key]: kwokNodeTaint.value, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        ...kwokNodeLabel,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/region': clusterName,
        'topology.kubernetes.io/zone': `${clusterName}-a`,
        'topology.istio.io/cluster': clusterName,
      },
    },
    spec: { taints: [{ ...kwokNodeTaint }] },
  };
}
