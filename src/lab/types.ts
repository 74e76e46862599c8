/** The lab's public contract (re-exported by src/lab/index.ts). */

interface LabTiming {
  /** Bound Pod → listener up and Running (not yet Ready). Default 300 ms. */
  startupMs?: number;
  /** Running → Ready. Default 200 ms. */
  readinessMs?: number;
  /** Longest a deleted Pod waits for in-flight requests before it is gone. Default 1000 ms. */
  terminationGraceMs?: number;
  /** The HorizontalPodAutoscaler controller's sync period. Default 15 000 ms, as kube-controller-manager's. */
  autoscalerSyncMs?: number;
}

export interface LabOptions {
  /** Default: the shipped Bank of Anthos topology (src/lab/topology/bank-of-anthos.yaml). */
  topologyPath?: string;
  /** Seed of every random draw (service times, fault percentages, load balancing). Default 1. */
  seed?: number;
  /** Default 127.0.0.1. */
  apiHost?: string;
  /** Per cluster name; default: random free ports. */
  apiPorts?: Record<string, number>;
  /** Per cluster name; default central 127.0.0.11, west 127.0.0.12 (127.0.0.1 off Linux). */
  ingressHosts?: Record<string, string>;
  /**
   * Ingress addresses in topology order (central, west); a single one serves every cluster, on
   * consecutive ports. `ingressHosts` wins where both name a cluster. Default as ingressHosts.
   */
  ingressAddresses?: string[];
  /** Default 8080 (off Linux: 8080, 8081, …). 0 picks free ports. */
  ingressPort?: number;
  /** How long endpoint and Istio config changes take to reach the proxies. Default 500 ms. */
  propagationDelayMs?: number;
  timing?: LabTiming;
  /** Watch history kept per cluster; older resourceVersions get 410 Gone. Default 10 000 events. */
  watchHistoryLimit?: number;
  /** Resolve only once every workload is ready (default true). */
  waitReady?: boolean;
  /** Default 30 000 ms. */
  readyTimeoutMs?: number;
  /** Things worth knowing that are not errors of the caller (the lab never writes to the console). */
  onEvent?: (event: LabEvent) => void;
}

type LabEvent = { kind: 'controller-error'; cluster: string; controller: string; key: string; message: string };

export interface LabCluster {
  name: string;
  /** lab-central, lab-west */
  context: string;
  apiUrl: string;
  ingressUrl: string;
}

/** A socket the lab listens on; all are on loopback. */
export interface LabListener {
  kind: 'api' | 'ingress' | 'pod';
  cluster: string;
  name: string;
  address: string;
  port: number;
}

export interface RunningLab {
  clusters: LabCluster[];
  token: string;
  caPem: string;
  /** The application namespace of the topology (bank-of-anthos). */
  namespace: string;
  /** YAML kubeconfig with one context per cluster, certificate-authority-data and a token user. */
  kubeconfig(): string;
  /** Every socket the lab listens on right now (API servers, ingresses, Pods). */
  listeners(): LabListener[];
  /** Closes every listener; resolves when all are closed. Safe to call twice. */
  stop(): Promise<void>;
}
