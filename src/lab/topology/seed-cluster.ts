/**
 * A fresh cluster's objects from the topology: namespaces, Nodes, every Service (all of them
 * in every cluster, as the multi-cluster setup requires for discovery), the workloads that
 * run in this cluster (with their HorizontalPodAutoscalers), the ingress gateway Service with
 * its LoadBalancer address, and the Istio objects (each cluster's control plane reads only its own).
 */
import { createHash } from 'node:crypto';
import { admit } from '../api/admission.js';
import { resourceByKey, keys, type ResourceKey } from '../api/resource-types.js';
import type { KubeObject } from '../api/object-types.js';
import type { ClusterApi } from '../api/request-context.js';
import type { Topology, TopologyCluster, TopologyService } from './read-topology.js';

interface Draft {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

function put(cluster: ClusterApi, key: ResourceKey, draft: Draft): void {
  const object: KubeObject = {
    ...draft,
    metadata: { ...draft.metadata, uid: '', resourceVersion: '', creationTimestamp: '' },
  };
  admit(resourceByKey(key), object, cluster.allocator);
  cluster.store.create(key, object);
}

function nodeDraft(cluster: TopologyCluster, index: number, clusterIndex: number, now: string): Draft {
  const pool = createHash('sha256').update(cluster.name).digest('hex').slice(0, 8);
  const name = `gke-${cluster.name}-default-pool-${pool}-${String(index + 1)}`;
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: reason,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'e2-standard-4',
        'topology.kubernetes.io/region': cluster.region,
        'topology.kubernetes.io/zone': cluster.zone,
      },
    },
    spec: { podCIDR: `10.${clusterIndex + 1}${index}.0.0/24`, providerID: `lab://${cluster.name}/${name}` },
    status: {
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
        condition('Ready', 'True', 'KubeletReady'),
      ],
      addresses: [
        { type: 'InternalIP', address: `127.${clusterIndex + 1}.255.${index + 1}` },
        { type: 'Hostname', address: name },
      ],
      capacity: { cpu: '4', memory: '16393220Ki', pods: '110' },
      allocatable: { cpu: '3920m', memory: '13226244Ki', pods: '110' },
      nodeInfo: {
        kubeletVersion: 'v1.34.0',
        kubeProxyVersion: 'v1.34.0',
        containerRuntimeVersion: 'containerd://2.0.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
        osImage: 'Chaos Lab',
        kernelVersion: '6.0.0',
        machineID: pool,
        systemUUID: pool,
        bootID: pool,
      },
    },
  };
}

function workloadDraft(topology: Topology, service: TopologyService, replicas: number): Draft {
  const labels = {
    app: service.name,
    application: 'bank-of-anthos',
    tier: service.workload === 'StatefulSet' ? 'db' : 'backend',
  };
  return {
    apiVersion: 'apps/v1',
    kind: service.workload,
    metadata: { name: service.name, namespace: topology.namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: service.name } },
      ...(service.workload === 'StatefulSet' ? { serviceName: service.name } : {}),
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: service.name,
              image: service.image,
              ports: [{ name: service.targetPort === 5432 ? 'tcp' : 'http', containerPort: service.targetPort }],
            },
          ],
        },
      },
    },
  };
}

/** The HorizontalPodAutoscaler a real cluster gives the workload (kubectl autoscale, CPU utilization). */
function hpaDraft(
  topology: Topology,
  service: TopologyService,
  autoscaling: NonNullable<TopologyService['autoscaling']>,
): Draft {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: service.name, namespace: topology.namespace, labels: { app: service.name } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: service.workload, name: service.name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.cpuUtilization } },
        },
      ],
    },
  };
}

export interface SeedOptions {
  ingressHost: string;
  ingressPort: number;
}

export function seedCluster(cluster: ClusterApi, topology: Topology, clusterIndex: number, options: SeedOptions): void {
  const self = topology.clusters[clusterIndex] as TopologyCluster;
  seedNamespaces(cluster, topology);
  for (let index = 0; index < self.nodes; index += 1)
    put(cluster, keys.nodes, nodeDraft(self, index, clusterIndex, cluster.store.timestamp()));
  for (const service of topology.services) {
    put(cluster, keys.services, serviceDraft(topology, service));
    const replicas = service.replicas[self.name];
    if (replicas !== undefined) {
      put(
        cluster,
        service.workload === 'StatefulSet' ? keys.statefulsets : keys.deployments,
        workloadDraft(topology, service, replicas),
      );
      if (service.autoscaling) put(cluster, keys.hpas, hpaDraft(topology, service, service.autoscaling));
    }
  }
  seedIngress(cluster, topology, options);
  seedControlPlane(cluster, self);
  seedIstioConfig(cluster, topology);
}

const systemNamespaces = [
  'default',
  'kube-system',
  'kube-public',
  'istio-system',
  // Where `chaos` keeps its per-cluster lock (deploy/rbac.yaml makes it on a real cluster).
  'chaos-system',
];

function seedNamespaces(cluster: ClusterApi, topology: Topology): void {
  for (const name of [...systemNamespaces, topology.ingress.namespace, topology.namespace]) {
    if (cluster.store.peek(keys.namespaces, undefined, name)) continue;
    put(cluster, keys.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: name === topology.namespace ? { 'istio-injection': 'enabled' } : {} },
    });
  }
}

function serviceDraft(topology: Topology, service: Topology['services'][number]): Draft {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: service.name,
      namespace: topology.namespace,
      labels: { app: service.name, application: 'bank-of-anthos' },
    },
    spec: {
      type: 'ClusterIP',
      selector: { app: service.name },
      ports: [
        { name: service.targetPort === 5432 ? 'tcp' : 'http', port: service.port, targetPort: service.targetPort },
      ],
    },
  };
}

/** The ingress gateway: its LoadBalancer Service (the address in the status, as a cloud LB sets it), Pod, Gateway. */
function seedIngress(cluster: ClusterApi, topology: Topology, options: SeedOptions): void {
  put(cluster, keys.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: topology.ingress.service,
      namespace: topology.ingress.namespace,
      labels: { app: topology.ingress.service, istio: 'ingressgateway' },
    },
    spec: { type: 'LoadBalancer', ports: [{ name: 'http2', port: options.ingressPort, targetPort: 8080 }] },
  });
  const gateway = cluster.store.get(keys.services, topology.ingress.namespace, topology.ingress.service) as KubeObject;
  cluster.store.update(keys.services, {
    ...gateway,
    status: {
      loadBalancer: {
        ingress: [{ ip: options.ingressHost, ipMode: 'VIP', ports: [{ port: options.ingressPort, protocol: 'TCP' }] }],
      },
    },
  });
  // The gateway's Pod: what `kubectl logs` reads the gateway's access log from (mesh/access-log.ts);
  // the listener itself is the cluster's gateway (mesh/gateway.ts).
  const labels = { app: topology.ingress.service, istio: 'ingressgateway' };
  put(cluster, keys.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: topology.ingress.service, namespace: topology.ingress.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name: 'istio-proxy', image: 'istio/proxyv2:lab', ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  });
  put(cluster, keys.gateways, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: topology.ingress.gateway, namespace: topology.namespace },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    },
  });
}

/** A Deployment and its Service in istio-system, as the istiod and east-west gateway charts install them. */
function systemWorkload(name: string, labels: Record<string, string>, port: number, serviceType?: string): Draft[] {
  const meta = { name, namespace: 'istio-system', labels };
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: {
        ...(serviceType ? { type: serviceType } : {}),
        selector: { app: labels.app },
        ports: [{ name: name === 'istiod' ? 'grpc-xds' : 'tls', port, targetPort: port }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: labels.app } },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 5,
            containers: [{ name: 'discovery', image: 'istio/pilot:lab', ports: [{ containerPort: port }] }],
          },
        },
      },
    },
  ];
}

/**
 * Each cluster's control plane (istiod, which pushes endpoints and config to that cluster's
 * proxies: mesh/control-plane.ts) and its east-west gateway (which carries the other cluster's
 * calls into this one), both in istio-system.
 */
function seedControlPlane(cluster: ClusterApi, self: TopologyCluster): void {
  const network = `network-${self.name}`;
  const drafts = [
    ...systemWorkload('istiod', { app: 'istiod', istio: 'pilot' }, 15012),
    ...systemWorkload(
      'istio-eastwestgateway',
      { app: 'istio-eastwestgateway', istio: 'eastwestgateway', 'topology.istio.io/network': network },
      15443,
      'LoadBalancer',
    ),
  ];
  for (const draft of drafts) put(cluster, draft.kind === 'Service' ? keys.services : keys.deployments, draft);
}

/** The topology's VirtualServices, EnvoyFilters and DestinationRules, as written. */
function seedIstioConfig(cluster: ClusterApi, topology: Topology): void {
  const istio = (apiVersion: string, kind: string, item: { name: string; namespace: string; spec: unknown }) => ({
    apiVersion,
    kind,
    metadata: { name: item.name, namespace: item.namespace },
    spec: structuredClone(item.spec),
  });
  for (const vs of topology.virtualServices)
    put(cluster, keys.virtualServices, istio('networking.istio.io/v1', 'VirtualService', vs));
  for (const filter of topology.envoyFilters)
    put(cluster, keys.envoyFilters, istio('networking.istio.io/v1alpha3', 'EnvoyFilter', filter));
  for (const dr of topology.destinationRules)
    put(cluster, keys.destinationRules, istio('networking.istio.io/v1', 'DestinationRule', dr));
}
