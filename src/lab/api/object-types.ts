/**
 * The shapes of the Kubernetes objects the lab stores and its controllers read.
 * Only the fields the lab uses are typed; everything else a client sends is kept
 * verbatim under the index signatures, so a round trip never loses data.
 */

export type Labels = Record<string, string>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Labels;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  [field: string]: unknown;
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  [field: string]: unknown;
}

interface PodTemplate {
  metadata?: { labels?: Labels; annotations?: Record<string, string>; [field: string]: unknown };
  spec: PodSpec;
}

interface PodSpec {
  containers: Container[];
  nodeName?: string;
  terminationGracePeriodSeconds?: number;
  [field: string]: unknown;
}

interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  conditions?: Condition[];
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  startTime?: string;
  containerStatuses?: Record<string, unknown>[];
  [field: string]: unknown;
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

interface WorkloadSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplate;
  [field: string]: unknown;
}

export interface Workload extends KubeObject {
  spec: WorkloadSpec;
  status?: Record<string, unknown>;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Record<string, unknown>[]; [field: string]: unknown };
  status?: { conditions?: Condition[]; [field: string]: unknown };
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec: { selector?: Labels; ports?: ServicePort[]; type?: string; clusterIP?: string; [field: string]: unknown };
  status?: Record<string, unknown>;
}

export interface EndpointSliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
  zone?: string;
  targetRef?: { kind: string; name: string; namespace?: string; uid?: string };
}

export interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints: EndpointSliceEndpoint[] | null;
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
}

export interface PodDisruptionBudget extends KubeObject {
  spec: {
    selector?: LabelSelector;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    unhealthyPodEvictionPolicy?: string;
    [field: string]: unknown;
  };
  status?: {
    currentHealthy?: number;
    desiredHealthy?: number;
    disruptionsAllowed?: number;
    expectedPods?: number;
    observedGeneration?: number;
    [field: string]: unknown;
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringMap(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((entry) => typeof entry === 'string');
}

export function podIsReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isTerminating(object: KubeObject): boolean {
  return object.metadata.deletionTimestamp !== undefined;
}

export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
