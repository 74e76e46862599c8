/** An environment: where a scenario runs. `lab` is built in; others are files in environments/. */

type IngressSource =
  /** Read the LoadBalancer address of a gateway Service (status.loadBalancer.ingress[0]). */
  | { kind: 'service'; namespace: string; name: string; port: number; scheme: 'http' | 'https' }
  /** A fixed URL, e.g. behind a DNS name or when the gateway has no LoadBalancer. */
  | { kind: 'url'; url: string };

/** How the serving cluster of a response is learned on this environment's mesh. */
type ServedByMechanism =
  /** A header the gateway adds with the upstream Pod's address (deploy/served-by-envoyfilter.yaml). */
  | { kind: 'upstream-address'; header: string }
  /** A header whose value is the cluster name (the app reports it). */
  | { kind: 'header'; header: string };

export interface EnvironmentCluster {
  /** Logical name used by scenarios: central, west. */
  name: string;
  context: string;
  /** Kubeconfig file; undefined = the default chain ($KUBECONFIG, ~/.kube/config). */
  kubeconfig?: string;
  region?: string;
  ingress: IngressSource;
  /** The cluster the harness runs in (the CronJob): ServiceAccount token and CA from the Pod. */
  inCluster?: boolean;
  /**
   * The cluster holding the Istio config of this cluster's mesh (primary-remote, external
   * control plane); undefined = this cluster itself (multi-primary). Istio faults are written there.
   */
  istioConfigCluster?: string;
}

/**
 * How a fault learns that the data plane has its Istio config. `status`: the VirtualService's
 * status (observedGeneration + the Reconciled condition istiod writes with config distribution
 * tracking on, PILOT_ENABLE_STATUS); a deleted VirtualService has no status, so its deletion
 * waits `settleMs`. `settle`: no signal at all; wait `settleMs` after every API call.
 */
export type IstioConvergence = { kind: 'status' | 'settle'; settleMs: number };

/** What a drain never evicts: the control plane, the gateways and our own Pods. */
export interface ProtectedPods {
  namespaces: string[];
  /** `key=value` labels; a Pod carrying any of them is never evicted. */
  labels: string[];
}

/** Istio's default and common gateway namespaces, istiod and gateway labels, and the harness's own label. */
export const defaultProtectedPods: ProtectedPods = {
  namespaces: ['kube-system', 'istio-system', 'asm-system', 'asm-gateways', 'istio-gateways', 'istio-ingress'],
  labels: [
    'app=istiod',
    'istio=ingressgateway',
    'istio=egressgateway',
    'istio=eastwestgateway',
    'app.kubernetes.io/name=chaos',
  ],
};

/** Without distribution tracking Istio says nothing: 5 s covers the p90 convergence reported for large meshes. */
export const defaultIstioSettleMs = 5_000;

export interface Environment {
  /** Where it came from: "built-in" for lab, else the file path. */
  file: string;
  name: string;
  description?: string;
  /** App namespace: the default namespace of every fault. */
  namespace: string;
  /** Host header sent with every request, unless the scenario overrides it. */
  host?: string;
  clusters: EnvironmentCluster[];
  /** Undefined = "served by: not measured". */
  servedBy?: ServedByMechanism;
  /** Kube contexts this environment may mutate without --yes. */
  allowContexts: string[];
  /** Runs refuse to start unless a guard is active in every cluster. */
  requireGuard?: boolean;
  /** Duration of a run's lock Lease (default 30 s). */
  lockLeaseSeconds?: number;
  /** The embedded lab is started in process and is always allowed. */
  builtIn: boolean;
  /** Default: settle for files (Istio tracks distribution only when asked), status for the lab. */
  istioConvergence?: IstioConvergence;
  /** Default: defaultProtectedPods. */
  protectedPods?: ProtectedPods;
}
