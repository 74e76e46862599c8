/**
 * What istiod pushes to the proxies, per multi-primary Istio: endpoints of BOTH clusters
 * merged per Service (each istiod reads every cluster's EndpointSlices), but VirtualServices
 * and DestinationRules only from the proxy's own cluster. Every change reaches the proxies
 * after the propagation delay, as a snapshot of the state when it happened.
 *
 * When a VirtualService change reaches the proxies, the control plane writes its status as
 * istiod does with config distribution tracking on (PILOT_ENABLE_STATUS):
 * `status.observedGeneration` = the generation the proxies now have, and a `Reconciled`
 * condition True stamped (to the millisecond) with when they got it. Status-only writes do not
 * count as config changes.
 */
import { isRecord, type EndpointSlice, type KubeObject, type Labels, type Pod } from '../api/object-types.js';
import { keys } from '../api/resource-types.js';
import type { ObjectStore, StoreEvent } from '../api/store.js';
import {
  parseDestinationRule,
  parseVirtualService,
  type DestinationRuleConfig,
  type VirtualServiceConfig,
} from './istio-config.js';
import type { ServiceKey } from './route-match.js';

export interface ClusterLocality {
  name: string;
  region: string;
  zone: string;
}

export interface MeshEndpoint {
  /** `cluster/ip:port`, stable while the Pod lives. */
  id: string;
  cluster: string;
  pod: string;
  ip: string;
  port: number;
  region: string;
  zone: string;
  /** Pod labels plus the topology labels failoverPriority can name. */
  labels: Labels;
}

interface MeshCluster {
  locality: ClusterLocality;
  store: ObjectStore;
}

interface ClusterConfig {
  /** `namespace/name` → uid and generation of each VirtualService in this snapshot. */
  generations: Map<string, { uid: string; generation: number }>;
  virtualServices: VirtualServiceConfig[];
  destinationRules: DestinationRuleConfig[];
  /** `namespace/name` of the Gateways that select the ingress gateway (`istio: ingressgateway`). */
  ingressGateways: Set<string>;
  /** Response headers EnvoyFilters add at the ingress gateway (values may hold %UPSTREAM_REMOTE_ADDRESS%). */
  gatewayResponseHeaders: GatewayHeader[];
}

export interface GatewayHeader {
  name: string;
  value: string;
}

/**
 * The part of an EnvoyFilter the lab acts on, as Envoy would: patches in the GATEWAY context
 * that merge `response_headers_to_add` into a virtual host or route configuration (what
 * deploy/served-by-envoyfilter.yaml ships), on a filter selecting the ingress gateway.
 */
export function gatewayHeadersOf(object: KubeObject): GatewayHeader[] {
  const spec = isRecord(object.spec) ? object.spec : {};
  const selector =
    isRecord(spec.workloadSelector) && isRecord(spec.workloadSelector.labels) ? spec.workloadSelector.labels : {};
  if (Object.keys(selector).length > 0 && selector.istio !== 'ingressgateway') return [];
  const patches = Array.isArray(spec.configPatches) ? spec.configPatches : [];
  return patches.flatMap((patch: unknown) => {
    if (!isRecord(patch) || !isRecord(patch.match) || patch.match.context !== 'GATEWAY') return [];
    if (patch.applyTo !== 'VIRTUAL_HOST' && patch.applyTo !== 'ROUTE_CONFIGURATION') return [];
    const value = isRecord(patch.patch) && isRecord(patch.patch.value) ? patch.patch.value : {};
    const add = Array.isArray(value.response_headers_to_add) ? value.response_headers_to_add : [];
    return add.flatMap((entry: unknown) =>
      isRecord(entry) && isRecord(entry.header) && typeof entry.header.key === 'string'
        ? [{ name: entry.header.key.toLowerCase(), value: String(entry.header.value ?? '') }]
        : [],
    );
  });
}

function selectsIngressGateway(object: KubeObject): boolean {
  const spec = isRecord(object.spec) ? object.spec : {};
  return isRecord(spec.selector) && spec.selector.istio === 'ingressgateway';
}

function emptyConfig(): ClusterConfig {
  return {
    generations: new Map(),
    virtualServices: [],
    destinationRules: [],
    ingressGateways: new Set(),
    gatewayResponseHeaders: [],
  };
}

function onlyStatusChanged(previous: KubeObject, object: KubeObject): boolean {
  const strip = (candidate: KubeObject): string =>
    JSON.stringify({ ...candidate, status: undefined, metadata: { ...candidate.metadata, resourceVersion: '' } });
  return strip(previous) === strip(object);
}

/** What one cluster's proxies were last pushed, kept while its istiod is away. */
interface Pushed {
  endpoints: Map<ServiceKey, MeshEndpoint[]>;
  config: ClusterConfig;
}

const istioSystem = 'istio-system';

/** Whether a Service in istio-system has a ready endpoint; undefined when the Service does not exist. */
function systemServiceReady(store: ObjectStore, name: string): boolean | undefined {
  if (!store.peek(keys.services, istioSystem, name)) return undefined;
  return store
    .peekAll<EndpointSlice>(keys.endpointSlices, istioSystem)
    .some(
      (slice) =>
        slice.metadata.labels?.['kubernetes.io/service-name'] === name &&
        (slice.endpoints ?? []).some((endpoint) => endpoint.conditions?.ready !== false),
    );
}

export class ControlPlane {
  /** cluster → service → ready endpoints */
  private readonly endpointsByCluster = new Map<string, Map<ServiceKey, MeshEndpoint[]>>();
  private readonly merged = new Map<ServiceKey, MeshEndpoint[]>();
  private readonly configs = new Map<string, ClusterConfig>();
  /** Clusters whose istiod is away → what their proxies still hold. */
  private readonly frozen = new Map<string, Pushed>();
  /** Clusters whose istiod came back, waiting for the full push. */
  private readonly resuming = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly clusters: readonly MeshCluster[],
    private readonly propagationDelayMs: number,
  ) {
    for (const cluster of clusters) {
      const name = cluster.locality.name;
      this.endpointsByCluster.set(name, new Map());
      const snapshot = this.configSnapshot(cluster);
      this.configs.set(name, snapshot);
      this.writeStatus(cluster, snapshot);
      const services = new Set(
        cluster.store.peekAll<EndpointSlice>(keys.endpointSlices).map((slice) => this.serviceOf(slice)),
      );
      for (const service of services)
        if (service) this.applyEndpoints(name, service, this.endpointSnapshot(cluster, service));
      this.unsubscribers.push(cluster.store.subscribe((event) => this.onEvent(cluster, event)));
    }
    // Proxies start with nothing until their istiod is up (as Envoy waits for its first push).
    for (const cluster of clusters)
      if (systemServiceReady(cluster.store, 'istiod') === false)
        this.frozen.set(cluster.locality.name, { endpoints: new Map(), config: emptyConfig() });
  }

  /** The endpoints of `service` the proxies of `cluster` hold; without a cluster, what the istiods know. */
  endpoints(service: ServiceKey, cluster?: string): readonly MeshEndpoint[] {
    const held = cluster === undefined ? undefined : this.frozen.get(cluster);
    if (held) return held.endpoints.get(service) ?? [];
    return this.merged.get(service) ?? [];
  }

  /** Whether the proxies of `cluster` hear their istiod (false: they keep their last push). */
  connected(cluster: string): boolean {
    return !this.frozen.has(cluster);
  }

  /**
   * Whether a cross-cluster hop into `cluster` gets through: its east-west gateway has a ready
   * Pod behind its LoadBalancer address (a cluster without one is reached directly).
   */
  eastWestOpen(cluster: string): boolean {
    const target = this.clusters.find((c) => c.locality.name === cluster);
    return target ? systemServiceReady(target.store, 'istio-eastwestgateway') !== false : true;
  }

  /**
   * Whether a connection to `endpoint` of `service` is lost in the network: no Pod has its
   * address any more, and its istiod knows (a proxy that still holds it was not told). On a real
   * cluster a deleted Pod's address answers — refuses — while its sidecar drains
   * (terminationDrainDuration, 5 s by default, longer than a push takes); once the Pod's network
   * is gone, a SYN to its address gets no answer at all, and the caller waits for its connect
   * timeout.
   */
  blackholed(endpoint: MeshEndpoint, service: ServiceKey): boolean {
    // Most attempts go to endpoints istiod still knows: decided without looking at the Pods.
    if ((this.merged.get(service) ?? []).some((known) => known.id === endpoint.id)) return false;
    const cluster = this.clusters.find((c) => c.locality.name === endpoint.cluster);
    return (
      cluster !== undefined && !cluster.store.peekAll<Pod>(keys.pods).some((pod) => pod.status?.podIP === endpoint.ip)
    );
  }

  config(cluster: string): ClusterConfig {
    const held = this.frozen.get(cluster);
    if (held) return held.config;
    return this.configs.get(cluster) ?? emptyConfig();
  }

  locality(cluster: string): ClusterLocality {
    return this.clusters.find((c) => c.locality.name === cluster)?.locality ?? { name: cluster, region: '', zone: '' };
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(apply: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      apply();
    }, this.propagationDelayMs);
    this.timers.add(timer);
  }

  private serviceOf(slice: EndpointSlice): ServiceKey | undefined {
    const name = slice.metadata.labels?.['kubernetes.io/service-name'];
    return name ? `${slice.metadata.namespace ?? ''}/${name}` : undefined;
  }

  /** The istiod of `cluster` went away or came back (its Service's endpoints changed). */
  private onIstiod(cluster: MeshCluster): void {
    const name = cluster.locality.name;
    const up = systemServiceReady(cluster.store, 'istiod') !== false;
    if (!up) {
      this.resuming.delete(name);
      if (!this.frozen.has(name)) this.frozen.set(name, this.pushedTo(name));
      return;
    }
    if (!this.frozen.has(name) || this.resuming.has(name)) return;
    this.resuming.add(name);
    this.later(() => {
      if (!this.resuming.delete(name)) return;
      this.frozen.delete(name);
      this.writeStatus(cluster, this.config(name));
    });
  }

  /** A copy of what the proxies of `cluster` hold now. */
  private pushedTo(cluster: string): Pushed {
    return { endpoints: new Map(this.merged), config: this.config(cluster) };
  }

  private onEvent(cluster: MeshCluster, event: StoreEvent): void {
    if (event.key === keys.endpointSlices) {
      const service = this.serviceOf(event.object as EndpointSlice);
      if (!service) return;
      if (service === `${istioSystem}/istiod`) this.onIstiod(cluster);
      const snapshot = this.endpointSnapshot(cluster, service);
      this.later(() => this.applyEndpoints(cluster.locality.name, service, snapshot));
    } else if (
      event.key === keys.virtualServices ||
      event.key === keys.destinationRules ||
      event.key === keys.gateways ||
      event.key === keys.envoyFilters
    ) {
      if (event.previous && onlyStatusChanged(event.previous, event.object)) return;
      const snapshot = this.configSnapshot(cluster);
      this.later(() => {
        this.configs.set(cluster.locality.name, snapshot);
        this.writeStatus(cluster, snapshot);
      });
    }
  }

  /** The proxies have `snapshot`: say so on each VirtualService still at (or past) that generation. */
  private writeStatus(cluster: MeshCluster, snapshot: ClusterConfig): void {
    // An istiod that is away writes nothing; it writes the status of what it pushes on its return.
    if (this.frozen.has(cluster.locality.name)) return;
    const at = cluster.store.now().toISOString();
    for (const [id, { uid, generation }] of snapshot.generations) {
      const [namespace, name] = id.split('/') as [string, string];
      const current = cluster.store.peek(keys.virtualServices, namespace, name);
      if (!current || current.metadata.uid !== uid) continue;
      const status = isRecord(current.status) ? current.status : {};
      if (Number(status.observedGeneration ?? 0) >= generation) continue;
      const next = structuredClone(current);
      next.status = {
        observedGeneration: generation,
        conditions: [
          {
            type: 'Reconciled',
            status: 'True',
            lastTransitionTime: at,
            message: `generation ${generation} pushed to every proxy of ${cluster.locality.name}`,
          },
        ],
      };
      cluster.store.update(keys.virtualServices, next);
    }
  }

  private configSnapshot(cluster: MeshCluster): ClusterConfig {
    const byAge = <T extends { metadata: { creationTimestamp: string; name: string } }>(a: T, b: T): number =>
      a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) ||
      a.metadata.name.localeCompare(b.metadata.name);
    const virtualServices = [...cluster.store.peekAll(keys.virtualServices)].sort(byAge);
    return {
      generations: new Map(
        virtualServices.map((vs) => [
          `${vs.metadata.namespace ?? ''}/${vs.metadata.name}`,
          { uid: vs.metadata.uid ?? '', generation: vs.metadata.generation ?? 1 },
        ]),
      ),
      virtualServices: virtualServices.map(parseVirtualService),
      destinationRules: [...cluster.store.peekAll(keys.destinationRules)].sort(byAge).map(parseDestinationRule),
      ingressGateways: new Set(
        cluster.store
          .peekAll(keys.gateways)
          .filter(selectsIngressGateway)
          .map((gateway) => `${gateway.metadata.namespace ?? ''}/${gateway.metadata.name}`),
      ),
      gatewayResponseHeaders: [...cluster.store.peekAll(keys.envoyFilters)].sort(byAge).flatMap(gatewayHeadersOf),
    };
  }

  /** Ready endpoints of one Service in one cluster, as they are now. */
  private endpointSnapshot(cluster: MeshCluster, service: ServiceKey): MeshEndpoint[] {
    const [namespace, name] = service.split('/') as [string, string];
    const { locality, store } = cluster;
    const endpoints: MeshEndpoint[] = [];
    for (const slice of store.peekAll<EndpointSlice>(keys.endpointSlices, namespace)) {
      if (slice.metadata.labels?.['kubernetes.io/service-name'] !== name) continue;
      const port = slice.ports?.[0]?.port;
      if (port === undefined) continue;
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready === false) continue;
        const ip = endpoint.addresses[0];
        if (!ip) continue;
        const podName = endpoint.targetRef?.name ?? ip;
        const pod = store.peek<Pod>(keys.pods, namespace, podName);
        const zone = endpoint.zone ?? locality.zone;
        endpoints.push({
          id: `${locality.name}/${ip}:${port}`,
          cluster: locality.name,
          pod: podName,
          ip,
          port,
          region: locality.region,
          zone,
          labels: {
            ...(isRecord(pod?.metadata.labels) ? pod.metadata.labels : {}),
            'topology.istio.io/cluster': locality.name,
            'topology.kubernetes.io/region': locality.region,
            'topology.kubernetes.io/zone': zone,
          },
        });
      }
    }
    return endpoints;
  }

  private applyEndpoints(cluster: string, service: ServiceKey, endpoints: MeshEndpoint[]): void {
    this.endpointsByCluster.get(cluster)?.set(service, endpoints);
    const all = this.clusters.flatMap((c) => this.endpointsByCluster.get(c.locality.name)?.get(service) ?? []);
    this.merged.set(service, all);
  }
}
