/**
 * The data plane of one cluster: what runs when the kubelet starts a Pod (a listener with a
 * sidecar), and the cluster's ingress gateway. Behaviour comes from the topology by the Pod's
 * `app` label; Pods of anything else answer 200 at once (a user's own Deployment, say).
 */
import type { Pod } from '../api/object-types.js';
import type { ObjectStore } from '../api/store.js';
import type { PodLogs } from '../api/pod-logs.js';
import { keys } from '../api/resource-types.js';
import type { PodRuntime } from '../controllers/kubelet.js';
import type { Random } from '../random.js';
import type { ControlPlane } from './control-plane.js';
import { startPodServer, type ServiceBehaviour } from './pod-server.js';
import { Proxy } from './proxy.js';
import type { UpstreamClient } from './upstream.js';

export interface DataPlaneOptions {
  cluster: string;
  controlPlane: ControlPlane;
  upstream: UpstreamClient;
  random: Random;
  interRegionLatencyMs: number;
  behaviours: ReadonlyMap<string, ServiceBehaviour>;
  stop: AbortSignal;
  store: ObjectStore;
  logs: PodLogs;
}

const trivial: ServiceBehaviour = {
  serviceTime: { kind: 'fixed', ms: 0, jitterMs: 0 },
  concurrency: 1024,
  queue: 1024,
  routes: [],
};

export function podRuntime(options: DataPlaneOptions): PodRuntime {
  return {
    start: (pod: Pod, address) => {
      const name = pod.metadata.name;
      const service = pod.metadata.labels?.app ?? name;
      const sidecar = new Proxy({
        id: name,
        cluster: options.cluster,
        kind: 'sidecar',
        controlPlane: options.controlPlane,
        upstream: options.upstream,
        random: options.random.fork(`sidecar/${options.cluster}/${name}`),
        interRegionLatencyMs: options.interRegionLatencyMs,
        stop: options.stop,
      });
      return startPodServer({
        ip: address.ip,
        port: address.port,
        namespace: pod.metadata.namespace ?? 'default',
        pod: name,
        service,
        behaviour: options.behaviours.get(service) ?? trivial,
        sidecar,
        random: options.random.fork(`pod/${options.cluster}/${name}`),
        stop: options.stop,
        annotations: () => options.store.peek(keys.pods, pod.metadata.namespace, name)?.metadata.annotations,
        log: (line) => options.logs.append(pod.metadata.namespace ?? 'default', name, line),
        cluster: options.cluster,
      });
    },
  };
}

export function gatewayProxy(options: DataPlaneOptions, gatewayName: string): Proxy {
  return new Proxy({
    id: `${gatewayName}-${options.cluster}`,
    cluster: options.cluster,
    kind: 'gateway',
    controlPlane: options.controlPlane,
    upstream: options.upstream,
    random: options.random.fork(`gateway/${options.cluster}`),
    interRegionLatencyMs: options.interRegionLatencyMs,
    stop: options.stop,
  });
}
