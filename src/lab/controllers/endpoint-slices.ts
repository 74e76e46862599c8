/**
 * The EndpointSlice controller: one set of slices per Service with a selector, labelled
 * `kubernetes.io/service-name`, listing every selected Pod that has an IP with its
 * ready/serving/terminating conditions. Pods whose ports differ go to different slices.
 */
import {
  isTerminating,
  podIsReady,
  type EndpointSlice,
  type EndpointSliceEndpoint,
  type Node,
  type Pod,
  type Service,
} from '../api/object-types.js';
import { keys } from '../api/resource-types.js';
import { selectorMatches } from '../api/selectors.js';
import { randomSuffix } from '../api/resource-handlers.js';
import type { ClusterApi } from '../api/request-context.js';
import { WorkQueue, type ControllerErrorHandler } from './work-queue.js';

const managedBy = 'endpointslice-controller.k8s.io';

type SlicePort = { name?: string; port: number; protocol: string };

/** The port a Pod really listens on for a Service port (the lab may have had to move it). */
export type PortLookup = (pod: Pod) => number | undefined;

function portsFor(service: Service, pod: Pod, actualPort: PortLookup): SlicePort[] {
  const containerPorts = pod.spec.containers.flatMap((container) => container.ports ?? []);
  const first = containerPorts[0]?.containerPort;
  return (service.spec.ports ?? []).map((port) => {
    const target = port.targetPort ?? port.port;
    const declared =
      typeof target === 'number'
        ? target
        : (containerPorts.find((candidate) => candidate.name === target)?.containerPort ?? port.port);
    const real = declared === first || first === undefined ? (actualPort(pod) ?? declared) : declared;
    return { ...(port.name ? { name: port.name } : {}), port: real, protocol: port.protocol ?? 'TCP' };
  });
}

function endpointOf(cluster: ClusterApi, pod: Pod): EndpointSliceEndpoint {
  const ready = podIsReady(pod);
  const terminating = isTerminating(pod);
  const node = pod.spec.nodeName ? cluster.store.peek<Node>(keys.nodes, undefined, pod.spec.nodeName) : undefined;
  const zone = node?.metadata.labels?.['topology.kubernetes.io/zone'];
  return {
    addresses: [pod.status?.podIP ?? ''],
    conditions: { ready: ready && !terminating, serving: ready, terminating },
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(zone ? { zone } : {}),
    targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
  };
}

type SliceGroup = { ports: SlicePort[]; endpoints: EndpointSliceEndpoint[] };

/** The Service whose slices are being written, and the labels every one of them carries. */
interface SliceOwner {
  cluster: ClusterApi;
  namespace: string;
  name: string;
  service: Service;
  labels: Record<string, string>;
}

function reconcile(cluster: ClusterApi, namespace: string, name: string, actualPort: PortLookup): void {
  const service = cluster.store.peek<Service>(keys.services, namespace, name);
  const existing = cluster.store
    .peekAll<EndpointSlice>(keys.endpointSlices, namespace)
    .filter(
      (slice) =>
        slice.metadata.labels?.['kubernetes.io/service-name'] === name &&
        slice.metadata.labels['endpointslice.kubernetes.io/managed-by'] === managedBy,
    );
  if (!service || !service.spec.selector) {
    for (const slice of existing) cluster.store.remove(keys.endpointSlices, namespace, slice.metadata.name);
    return;
  }
  const unused = [...existing];
  const desired = groupEndpoints(cluster, namespace, service, actualPort);
  const labels = {
    ...service.metadata.labels,
    'kubernetes.io/service-name': name,
    'endpointslice.kubernetes.io/managed-by': managedBy,
  };
  const owner: SliceOwner = { cluster, namespace, name, service, labels };
  if (desired.length === 0) {
    // Like the real controller, an empty Service keeps one placeholder slice.
    writeSlice(owner, unused.shift(), null, null);
  }
  for (const group of desired) {
    const signature = JSON.stringify(group.ports);
    const index = unused.findIndex((slice) => JSON.stringify(slice.ports ?? null) === signature);
    const match = index >= 0 ? unused.splice(index, 1)[0] : unused.shift();
    writeSlice(owner, match, group.ports, group.endpoints);
  }
  for (const slice of unused) cluster.store.remove(keys.endpointSlices, namespace, slice.metadata.name);
}

/** The selected Pods that have an IP and have not finished, grouped by their ports: one slice per group. */
function groupEndpoints(
  cluster: ClusterApi,
  namespace: string,
  service: Service,
  actualPort: PortLookup,
): SliceGroup[] {
  const groups = new Map<string, SliceGroup>();
  const pods = cluster.store
    .peekAll<Pod>(keys.pods, namespace)
    .filter(
      (pod) =>
        pod.status?.podIP &&
        pod.status.phase !== 'Succeeded' &&
        pod.status.phase !== 'Failed' &&
        selectorMatches({ matchLabels: service.spec.selector }, pod.metadata.labels),
    );
  for (const pod of pods) {
    const ports = portsFor(service, pod, actualPort);
    const signature = JSON.stringify(ports);
    const group = groups.get(signature) ?? { ports, endpoints: [] };
    group.endpoints.push(endpointOf(cluster, pod));
    groups.set(signature, group);
  }
  return [...groups.values()];
}

/** Rewrites `slice` to hold these ports and endpoints, or creates a new slice owned by the Service. */
function writeSlice(
  owner: SliceOwner,
  slice: EndpointSlice | undefined,
  ports: SlicePort[] | null,
  endpoints: EndpointSliceEndpoint[] | null,
): void {
  const { cluster, namespace, name, service, labels } = owner;
  if (slice) {
    const next: EndpointSlice = {
      ...structuredClone(slice),
      ports,
      endpoints,
      metadata: { ...structuredClone(slice.metadata), labels },
    };
    cluster.store.update(keys.endpointSlices, next);
    return;
  }
  cluster.store.create<EndpointSlice>(keys.endpointSlices, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${name}-${randomSuffix()}`,
      generateName: `${name}-`,
      namespace,
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
      labels,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name,
          uid: service.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: 'IPv4',
    endpoints,
    ports,
  });
}

export function startEndpointSliceController(
  cluster: ClusterApi,
  actualPort: PortLookup,
  onError: ControllerErrorHandler,
): () => void {
  const queue = new WorkQueue(
    'endpointslices',
    (id) => {
      const [namespace, name] = id.split('/') as [string, string];
      reconcile(cluster, namespace, name, actualPort);
    },
    onError,
  );
  for (const service of cluster.store.peekAll(keys.services))
    queue.add(`${service.metadata.namespace ?? ''}/${service.metadata.name}`);
  const unsubscribe = cluster.store.subscribe((event) => {
    const namespace = event.object.metadata.namespace ?? '';
    if (event.key === keys.services) queue.add(`${namespace}/${event.object.metadata.name}`);
    else if (event.key === keys.pods)
      for (const service of cluster.store.peekAll(keys.services, namespace))
        queue.add(`${namespace}/${service.metadata.name}`);
  });
  return () => {
    unsubscribe();
    queue.stop();
  };
}
