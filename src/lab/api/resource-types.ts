/**
 * Every resource the lab serves, in one table: discovery, routing, patch rules and
 * Table printing all read from here, so adding a kind is one entry.
 */

type Subresource = 'status' | 'scale' | 'eviction' | 'log';

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  /** Served versions, preferred first; one stored object is served under every version. */
  versions: readonly string[];
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources: readonly Subresource[];
  /** Custom resources take no strategic merge patch and need a resourceVersion on update. */
  custom: boolean;
}

const rw = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

export const resourceTypes: readonly ResourceType[] = [
  {
    group: '',
    versions: ['v1'],
    kind: 'Namespace',
    plural: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
    custom: false,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Node',
    plural: 'nodes',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    custom: false,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Pod',
    plural: 'pods',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'eviction', 'log'],
    custom: false,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Service',
    plural: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
    custom: false,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Event',
    plural: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    subresources: [],
    custom: false,
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    custom: false,
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'StatefulSet',
    plural: 'statefulsets',
    singular: 'statefulset',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    custom: false,
  },
  {
    group: 'policy',
    versions: ['v1'],
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
    custom: false,
  },
  {
    group: 'discovery.k8s.io',
    versions: ['v1'],
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    singular: 'endpointslice',
    namespaced: true,
    subresources: [],
    custom: false,
  },
  {
    group: 'coordination.k8s.io',
    versions: ['v1'],
    kind: 'Lease',
    plural: 'leases',
    singular: 'lease',
    namespaced: true,
    subresources: [],
    custom: false,
  },
  {
    group: 'autoscaling',
    versions: ['v2'],
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    custom: false,
  },
  // KEDA's CRD (keda.sh/v1alpha1), built in: served as a custom resource like the Istio kinds.
  {
    group: 'keda.sh',
    versions: ['v1alpha1'],
    kind: 'ScaledObject',
    plural: 'scaledobjects',
    singular: 'scaledobject',
    namespaced: true,
    shortNames: ['so'],
    subresources: ['status'],
    custom: true,
  },
  ...(['VirtualService', 'DestinationRule', 'Gateway', 'EnvoyFilter'] as const).map((kind) => ({
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind,
    plural: `${kind.toLowerCase()}s`,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: ({ VirtualService: ['vs'], DestinationRule: ['dr'], Gateway: ['gw'], EnvoyFilter: [] } as const)[kind],
    categories: ['istio-io', 'networking-istio-io'],
    subresources: ['status'] as const,
    custom: true,
  })),
];

/** The group/plural pair that names a resource across versions, e.g. `apps/deployments`. */
export type ResourceKey = string;

export function keyOf(type: Pick<ResourceType, 'group' | 'plural'>): ResourceKey {
  return `${type.group}/${type.plural}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return resourceTypes.find(
    (type) => type.group === group && type.plural === plural && type.versions.includes(version),
  );
}

export function resourceByKey(key: ResourceKey): ResourceType {
  const type = resourceTypes.find((candidate) => keyOf(candidate) === key);
  if (!type) throw new Error(`unknown resource ${key}`);
  return type;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Every lab resource takes every verb; what differs is the subresources. */
export const resourceVerbs: readonly string[] = rw;

/** Well-known keys, so controllers need not spell strings. */
export const keys = {
  namespaces: '/namespaces',
  nodes: '/nodes',
  pods: '/pods',
  services: '/services',
  events: '/events',
  deployments: 'apps/deployments',
  statefulsets: 'apps/statefulsets',
  pdbs: 'policy/poddisruptionbudgets',
  endpointSlices: 'discovery.k8s.io/endpointslices',
  leases: 'coordination.k8s.io/leases',
  hpas: 'autoscaling/horizontalpodautoscalers',
  scaledObjects: 'keda.sh/scaledobjects',
  virtualServices: 'networking.istio.io/virtualservices',
  destinationRules: 'networking.istio.io/destinationrules',
  gateways: 'networking.istio.io/gateways',
  envoyFilters: 'networking.istio.io/envoyfilters',
} as const satisfies Record<string, ResourceKey>;
