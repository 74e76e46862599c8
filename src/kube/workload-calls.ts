/** Deployments and StatefulSets (scale subresource, annotations), their HPAs, Services, EndpointSlices. */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type V1Scale,
} from '@kubernetes/client-node';
import { isNotFound } from './api-error.js';
import type { Caller } from './call.js';
import type {
  Deployment,
  EndpointSlice,
  HorizontalPodAutoscaler,
  JsonPatchOp,
  MergePatch,
  Service,
  StatefulSet,
  WorkloadKind,
} from './types.js';

export interface WorkloadCalls {
  readScale(kind: WorkloadKind, namespace: string, name: string): Promise<V1Scale>;
  /**
   * Merge patch of the scale subresource: `spec.replicas` only. With `resourceVersion` the
   * write is conditional (409 if the scale moved since that read).
   */
  patchScale(
    kind: WorkloadKind,
    namespace: string,
    name: string,
    replicas: number,
    resourceVersion?: string,
  ): Promise<V1Scale>;
  readWorkload(kind: WorkloadKind, namespace: string, name: string): Promise<Deployment | StatefulSet>;
  /** Workloads of one namespace, or of every namespace when `namespace` is undefined. */
  listWorkloads(kind: WorkloadKind, namespace: string | undefined): Promise<Array<Deployment | StatefulSet>>;
  /**
   * JSON patch of the workload object. With a `test` op a 422 comes back as a conflict
   * (KubeApiError.testFailed) for the caller to re-read and re-decide; sent once then.
   */
  jsonPatchWorkload(
    kind: WorkloadKind,
    namespace: string,
    name: string,
    ops: JsonPatchOp[],
  ): Promise<Deployment | StatefulSet>;
  /** Merge patch of the workload object itself (annotations; never replicas, which go through /scale). */
  mergePatchWorkload(
    kind: WorkloadKind,
    namespace: string,
    name: string,
    patch: MergePatch,
  ): Promise<Deployment | StatefulSet>;
  /** HPAs of a namespace (every namespace when undefined); an empty list where autoscaling/v2 is not served. */
  listHpas(namespace: string | undefined): Promise<HorizontalPodAutoscaler[]>;
  mergePatchHpa(namespace: string, name: string, patch: MergePatch): Promise<HorizontalPodAutoscaler>;
  readService(namespace: string, name: string): Promise<Service>;
  /** Services of every namespace with a label selector (the east-west gateways: `istio=eastwestgateway`). */
  listServicesEverywhere(labelSelector: string): Promise<Service[]>;
  /** EndpointSlices of one Service, by the `kubernetes.io/service-name` label. */
  /** `service` undefined: every EndpointSlice of the namespace. */
  listEndpointSlices(namespace: string, service?: string): Promise<EndpointSlice[]>;
}

const resourceOf = (kind: WorkloadKind): string => (kind === 'Deployment' ? 'deployments.apps' : 'statefulsets.apps');

type ScaleCalls = Pick<WorkloadCalls, 'readScale' | 'patchScale'>;
type WorkloadObjectCalls = Pick<
  WorkloadCalls,
  'readWorkload' | 'listWorkloads' | 'jsonPatchWorkload' | 'mergePatchWorkload'
>;
type HpaCalls = Pick<WorkloadCalls, 'listHpas' | 'mergePatchHpa'>;
type ServiceCalls = Pick<WorkloadCalls, 'readService' | 'listServicesEverywhere' | 'listEndpointSlices'>;

export function createWorkloadCalls(config: KubeConfig, caller: Caller): WorkloadCalls {
  const apps = config.makeApiClient(AppsV1Api);
  return {
    ...createScaleCalls(apps, caller),
    ...createWorkloadObjectCalls(apps, caller),
    ...createHpaCalls(config.makeApiClient(AutoscalingV2Api), caller),
    ...createServiceCalls(config.makeApiClient(CoreV1Api), config.makeApiClient(DiscoveryV1Api), caller),
  };
}

/** The scale subresource: the one way replicas are read and written. */
function createScaleCalls(apps: AppsV1Api, caller: Caller): ScaleCalls {
  return {
    readScale: (kind, namespace, name) =>
      caller.invoke({ verb: 'GET', resource: resourceOf(kind), namespace, name, subresource: 'scale' }, (options) =>
        kind === 'Deployment'
          ? apps.readNamespacedDeploymentScale({ namespace, name }, options)
          : apps.readNamespacedStatefulSetScale({ namespace, name }, options),
      ),
    patchScale: (kind, namespace, name, replicas, resourceVersion) => {
      const body = resourceVersion ? { metadata: { resourceVersion }, spec: { replicas } } : { spec: { replicas } };
      return caller.invoke(
        { verb: 'PATCH', resource: resourceOf(kind), namespace, name, subresource: 'scale' },
        (options) =>
          kind === 'Deployment'
            ? apps.patchNamespacedDeploymentScale({ namespace, name, body }, options)
            : apps.patchNamespacedStatefulSetScale({ namespace, name, body }, options),
        { patch: 'merge' },
      );
    },
  };
}

/** Deployments and StatefulSets themselves: read, list, and patch (annotations, JSON patches with a test op). */
function createWorkloadObjectCalls(apps: AppsV1Api, caller: Caller): WorkloadObjectCalls {
  return {
    readWorkload: (kind, namespace, name) =>
      caller.invoke({ verb: 'GET', resource: resourceOf(kind), namespace, name }, (options) =>
        kind === 'Deployment'
          ? apps.readNamespacedDeployment({ namespace, name }, options)
          : apps.readNamespacedStatefulSet({ namespace, name }, options),
      ),
    listWorkloads: async (kind, namespace) => {
      const list = await caller.invoke({ verb: 'LIST', resource: resourceOf(kind), namespace }, (options) => {
        if (namespace === undefined)
          return kind === 'Deployment'
            ? apps.listDeploymentForAllNamespaces({}, options)
            : apps.listStatefulSetForAllNamespaces({}, options);
        return kind === 'Deployment'
          ? apps.listNamespacedDeployment({ namespace }, options)
          : apps.listNamespacedStatefulSet({ namespace }, options);
      });
      return list.items;
    },
    jsonPatchWorkload: (kind, namespace, name, body) => {
      const sentTest = body.some((op) => op.op === 'test');
      return caller.invoke(
        { verb: 'PATCH', resource: resourceOf(kind), namespace, name },
        (options) =>
          kind === 'Deployment'
            ? apps.patchNamespacedDeployment({ namespace, name, body }, options)
            : apps.patchNamespacedStatefulSet({ namespace, name, body }, options),
        { patch: 'json', sentTest, once: sentTest },
      );
    },
    mergePatchWorkload: (kind, namespace, name, body) =>
      caller.invoke(
        { verb: 'PATCH', resource: resourceOf(kind), namespace, name },
        (options) =>
          kind === 'Deployment'
            ? apps.patchNamespacedDeployment({ namespace, name, body }, options)
            : apps.patchNamespacedStatefulSet({ namespace, name, body }, options),
        { patch: 'merge' },
      ),
  };
}

function createHpaCalls(autoscaling: AutoscalingV2Api, caller: Caller): HpaCalls {
  return {
    listHpas: async (namespace) => {
      try {
        const list = await caller.invoke(
          { verb: 'LIST', resource: 'horizontalpodautoscalers.autoscaling', namespace },
          (options) =>
            namespace === undefined
              ? autoscaling.listHorizontalPodAutoscalerForAllNamespaces({}, options)
              : autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, options),
        );
        return list.items;
      } catch (error) {
        // Not served (e.g. a minimal API server): then nothing autoscales anything.
        if (isNotFound(error)) return [];
        throw error;
      }
    },
    mergePatchHpa: (namespace, name, body) =>
      caller.invoke(
        { verb: 'PATCH', resource: 'horizontalpodautoscalers.autoscaling', namespace, name },
        (options) => autoscaling.patchNamespacedHorizontalPodAutoscaler({ namespace, name, body }, options),
        { patch: 'merge' },
      ),
  };
}

function createServiceCalls(core: CoreV1Api, discovery: DiscoveryV1Api, caller: Caller): ServiceCalls {
  return {
    readService: (namespace, name) =>
      caller.invoke({ verb: 'GET', resource: 'services', namespace, name }, (options) =>
        core.readNamespacedService({ namespace, name }, options),
      ),
    listServicesEverywhere: async (labelSelector) =>
      (
        await caller.invoke({ verb: 'LIST', resource: 'services', name: `(${labelSelector})` }, (options) =>
          core.listServiceForAllNamespaces({ labelSelector }, options),
        )
      ).items,
    listEndpointSlices: async (namespace, service) => {
      const list = await caller.invoke(
        { verb: 'LIST', resource: 'endpointslices.discovery.k8s.io', namespace, name: `(service ${service})` },
        (options) =>
          discovery.listNamespacedEndpointSlice(
            service === undefined
              ? { namespace }
              : { namespace, labelSelector: `kubernetes.io/service-name=${service}` },
            options,
          ),
      );
      return list.items;
    },
  };
}
