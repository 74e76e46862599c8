/**
 * Server-side printing: `kubectl get` asks for `as=Table;g=meta.k8s.io` and prints the
 * cells it gets. Without a Table it would fall back to NAME/AGE only, so the common kinds
 * get the columns the real server prints (READY 0/0 for a Deployment scaled to zero).
 */
import { isRecord, podIsReady, type KubeObject, type Pod } from './object-types.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  priority?: number;
  cell: (object: KubeObject, now: number) => string | number;
}

function get(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split('.')) current = isRecord(current) ? current[part] : undefined;
  return current;
}

function num(object: unknown, path: string): number {
  const value = get(object, path);
  return typeof value === 'number' ? value : 0;
}

/** kubectl's HumanDuration, closely enough: 45s, 5m10s, 3h, 12d. */
function humanAge(created: string | undefined, now: number): string {
  if (!created) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

const name: Column = { name: 'Name', type: 'string', cell: (object) => object.metadata.name };
const age: Column = {
  name: 'Age',
  type: 'string',
  cell: (object, now) => humanAge(object.metadata.creationTimestamp, now),
};

function podStatus(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  return pod.status?.phase ?? 'Pending';
}

function servicePorts(object: KubeObject): string {
  const ports = get(object, 'spec.ports');
  if (!Array.isArray(ports) || ports.length === 0) return '<none>';
  return ports
    .filter(isRecord)
    .map(
      (port) =>
        `${String(port.port)}${port.nodePort ? `:${String(port.nodePort)}` : ''}/${String(port.protocol ?? 'TCP')}`,
    )
    .join(',');
}

function externalIp(object: KubeObject): string {
  const ingress = get(object, 'status.loadBalancer.ingress');
  if (Array.isArray(ingress) && ingress.length > 0)
    return ingress
      .filter(isRecord)
      .map((entry) => String(entry.ip ?? entry.hostname ?? ''))
      .join(',');
  return get(object, 'spec.type') === 'LoadBalancer' ? '<pending>' : '<none>';
}

function nodeStatus(object: KubeObject): string {
  const conditions = get(object, 'status.conditions');
  const ready =
    Array.isArray(conditions) && conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
  return `${ready ? 'Ready' : 'NotReady'}${get(object, 'spec.unschedulable') === true ? ',SchedulingDisabled' : ''}`;
}

function joinList(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.map(String).join(',') : '<none>';
}

/** `kind/name` of an Event's object, lower-case kind as kubectl prints it. */
function involved(object: KubeObject): string {
  return `${String(get(object, 'involvedObject.kind') ?? '').toLowerCase()}/${String(get(object, 'involvedObject.name') ?? '')}`;
}

const columnsByKind: Record<string, Column[]> = {
  Event: [
    {
      name: 'Last Seen',
      type: 'string',
      cell: (o, now) => {
        const last = get(o, 'lastTimestamp');
        return humanAge(typeof last === 'string' ? last : o.metadata.creationTimestamp, now);
      },
    },
    { name: 'Type', type: 'string', cell: (o) => String(get(o, 'type') ?? '') },
    { name: 'Reason', type: 'string', cell: (o) => String(get(o, 'reason') ?? '') },
    { name: 'Object', type: 'string', cell: involved },
    { name: 'Message', type: 'string', cell: (o) => String(get(o, 'message') ?? '') },
  ],
  Deployment: [
    name,
    { name: 'Ready', type: 'string', cell: (o) => `${num(o, 'status.readyReplicas')}/${num(o, 'spec.replicas')}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(o, 'status.updatedReplicas') },
    { name: 'Available', type: 'integer', cell: (o) => num(o, 'status.availableReplicas') },
    age,
  ],
  StatefulSet: [
    name,
    { name: 'Ready', type: 'string', cell: (o) => `${num(o, 'status.readyReplicas')}/${num(o, 'spec.replicas')}` },
    age,
  ],
  Pod: [
    name,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) =>
        `${podIsReady(o as Pod) ? 1 : 0}/${(get(o, 'spec.containers') as unknown[] | undefined)?.length ?? 0}`,
    },
    { name: 'Status', type: 'string', cell: (o) => podStatus(o as Pod) },
    { name: 'Restarts', type: 'string', cell: () => '0' },
    age,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => String(get(o, 'status.podIP') ?? '<none>') },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => String(get(o, 'spec.nodeName') ?? '<none>') },
  ],
  Service: [
    name,
    { name: 'Type', type: 'string', cell: (o) => String(get(o, 'spec.type') ?? 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', cell: (o) => String(get(o, 'spec.clusterIP') ?? '<none>') },
    { name: 'External-IP', type: 'string', cell: externalIp },
    { name: 'Port(s)', type: 'string', cell: servicePorts },
    age,
  ],
  Node: [
    name,
    { name: 'Status', type: 'string', cell: nodeStatus },
    { name: 'Roles', type: 'string', cell: () => '<none>' },
    age,
    { name: 'Version', type: 'string', cell: (o) => String(get(o, 'status.nodeInfo.kubeletVersion') ?? '') },
  ],
  Namespace: [name, { name: 'Status', type: 'string', cell: (o) => String(get(o, 'status.phase') ?? 'Active') }, age],
  PodDisruptionBudget: [
    name,
    { name: 'Min Available', type: 'string', cell: (o) => String(get(o, 'spec.minAvailable') ?? 'N/A') },
    { name: 'Max Unavailable', type: 'string', cell: (o) => String(get(o, 'spec.maxUnavailable') ?? 'N/A') },
    { name: 'Allowed Disruptions', type: 'integer', cell: (o) => num(o, 'status.disruptionsAllowed') },
    age,
  ],
  EndpointSlice: [
    name,
    { name: 'AddressType', type: 'string', cell: (o) => String(get(o, 'addressType') ?? '') },
    {
      name: 'Ports',
      type: 'string',
      cell: (o) => joinList((get(o, 'ports') as unknown[] | null | undefined)?.filter(isRecord).map((p) => p.port)),
    },
    {
      name: 'Endpoints',
      type: 'string',
      cell: (o) =>
        joinList(
          (get(o, 'endpoints') as unknown[] | null | undefined)
            ?.filter(isRecord)
            .flatMap((e) => (Array.isArray(e.addresses) ? e.addresses : [])),
        ),
    },
    age,
  ],
  Lease: [name, { name: 'Holder', type: 'string', cell: (o) => String(get(o, 'spec.holderIdentity') ?? '') }, age],
  VirtualService: [
    name,
    { name: 'Gateways', type: 'string', cell: (o) => JSON.stringify(get(o, 'spec.gateways') ?? []) },
    { name: 'Hosts', type: 'string', cell: (o) => JSON.stringify(get(o, 'spec.hosts') ?? []) },
    age,
  ],
  DestinationRule: [name, { name: 'Host', type: 'string', cell: (o) => String(get(o, 'spec.host') ?? '') }, age],
  HorizontalPodAutoscaler: [
    name,
    {
      name: 'Reference',
      type: 'string',
      cell: (o) =>
        `${String(get(o, 'spec.scaleTargetRef.kind') ?? '')}/${String(get(o, 'spec.scaleTargetRef.name') ?? '')}`,
    },
    { name: 'Targets', type: 'string', cell: hpaTargets },
    { name: 'MinPods', type: 'string', cell: (o) => String(get(o, 'spec.minReplicas') ?? '<unset>') },
    { name: 'MaxPods', type: 'integer', cell: (o) => num(o, 'spec.maxReplicas') },
    { name: 'Replicas', type: 'integer', cell: (o) => num(o, 'status.currentReplicas') },
    age,
  ],
  ScaledObject: [
    name,
    { name: 'ScaleTargetKind', type: 'string', cell: (o) => String(get(o, 'status.scaleTargetKind') ?? '') },
    { name: 'ScaleTargetName', type: 'string', cell: (o) => String(get(o, 'spec.scaleTargetRef.name') ?? '') },
    { name: 'Min', type: 'string', cell: (o) => String(get(o, 'spec.minReplicaCount') ?? '') },
    { name: 'Max', type: 'string', cell: (o) => String(get(o, 'spec.maxReplicaCount') ?? '') },
    { name: 'Ready', type: 'string', cell: (o) => conditionStatus(o, 'Ready') },
    { name: 'Active', type: 'string', cell: (o) => conditionStatus(o, 'Active') },
    { name: 'Paused', type: 'string', cell: (o) => conditionStatus(o, 'Paused') },
    age,
  ],
};

/** `cpu: <unknown>/80%` as kubectl prints an HPA's targets: the lab has no metrics to show. */
function hpaTargets(object: KubeObject): string {
  const metrics = get(object, 'spec.metrics');
  if (!Array.isArray(metrics) || metrics.length === 0) return '<none>';
  return metrics
    .filter(isRecord)
    .map((metric) => {
      const resource = isRecord(metric.resource) ? metric.resource : undefined;
      const target = resource && isRecord(resource.target) ? resource.target : undefined;
      if (!resource || !target) return `<unknown>/${String(metric.type ?? '?')}`;
      const goal =
        target.averageUtilization !== undefined
          ? `${String(target.averageUtilization)}%`
          : String(target.averageValue ?? target.value ?? '?');
      return `${String(resource.name)}: <unknown>/${goal}`;
    })
    .join(', ');
}

function conditionStatus(object: KubeObject, type: string): string {
  const conditions = get(object, 'status.conditions');
  const found = Array.isArray(conditions) ? conditions.filter(isRecord).find((c) => c.type === type) : undefined;
  return found ? String(found.status ?? 'Unknown') : 'Unknown';
}

function partialMetadata(object: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export function toTable(
  kind: string,
  objects: readonly KubeObject[],
  resourceVersion: string,
  includeObject: string | null,
): unknown {
  const columns = columnsByKind[kind] ?? [name, age];
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((column) => ({
      name: column.name,
      type: column.type,
      format: column === name ? 'name' : '',
      description: column.name,
      priority: column.priority ?? 0,
    })),
    rows: objects.map((object) => ({
      cells: columns.map((column) => column.cell(object, now)),
      object: includeObject === 'None' ? undefined : includeObject === 'Object' ? object : partialMetadata(object),
    })),
  };
}

/** True when the client asked for a meta.k8s.io Table (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.includes('as=Table') && part.includes('g=meta.k8s.io'));
}
