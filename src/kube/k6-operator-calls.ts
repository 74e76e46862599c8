/**
 * What distributed load needs from the cluster that runs it: the script's ConfigMap, the
 * k6-operator TestRun (k6.io/v1alpha1, through CustomObjectsApi, bodies kept as plain JSON),
 * the runner Pods, and each runner's log followed as a stream (its samples).
 */
import { PassThrough } from 'node:stream';
import { CoreV1Api, CustomObjectsApi, Log, type KubeConfig } from '@kubernetes/client-node';
import { isNotFound, toKubeApiError } from './api-error.js';
import { createCaller, type Caller } from './call.js';
import { loadKubeConfig, type ClusterConnection } from './kube-config.js';
import { defaultRetryPolicy } from './retry.js';
import type { Pod } from './types.js';

const testRuns = { group: 'k6.io', version: 'v1alpha1', plural: 'testruns' } as const;
const testRunResource = 'testruns.k6.io';

/** A TestRun as the API returns it: what we sent, plus status.stage. */
export interface TestRunState {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: Record<string, unknown>;
  status?: { stage?: string };
}

export interface LogFollow {
  /** Resolves when the stream ends (the Pod ended, or the server closed it). */
  ended: Promise<void>;
  stop(): void;
}

export interface K6OperatorCalls {
  readonly cluster: string;
  createConfigMap(namespace: string, body: object): Promise<void>;
  /** Absent is fine: deleting what is not there is done. */
  deleteConfigMap(namespace: string, name: string): Promise<void>;
  createTestRun(namespace: string, body: object): Promise<TestRunState>;
  readTestRun(namespace: string, name: string): Promise<TestRunState>;
  deleteTestRun(namespace: string, name: string): Promise<void>;
  listPods(namespace: string, labelSelector: string): Promise<Pod[]>;
  /** Follows a container's log with kubelet timestamps, from `sinceTime` (RFC 3339) when given. */
  followLog(
    namespace: string,
    pod: string,
    container: string,
    sinceTime: string | undefined,
    onChunk: (text: string) => void,
  ): Promise<LogFollow>;
}

function createK6OperatorCalls(config: KubeConfig, caller: Caller): K6OperatorCalls {
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const logs = new Log(config);
  const ignoreAbsent = (error: unknown) => {
    if (!isNotFound(error)) throw error;
  };
  return {
    cluster: caller.cluster,
    createConfigMap: async (namespace, body) => {
      await caller.invoke(
        { verb: 'CREATE', resource: 'configmaps', namespace },
        (options) => core.createNamespacedConfigMap({ namespace, body }, options),
        { once: true },
      );
    },
    deleteConfigMap: (namespace, name) =>
      caller
        .invoke({ verb: 'DELETE', resource: 'configmaps', namespace, name }, (options) =>
          core.deleteNamespacedConfigMap({ namespace, name }, options),
        )
        .then(() => undefined, ignoreAbsent),
    createTestRun: async (namespace, body) =>
      (await caller.invoke(
        { verb: 'CREATE', resource: testRunResource, namespace },
        (options) => custom.createNamespacedCustomObject({ ...testRuns, namespace, body }, options),
        { once: true },
      )) as TestRunState,
    readTestRun: async (namespace, name) =>
      (await caller.invoke({ verb: 'GET', resource: testRunResource, namespace, name }, (options) =>
        custom.getNamespacedCustomObject({ ...testRuns, namespace, name }, options),
      )) as TestRunState,
    deleteTestRun: (namespace, name) =>
      caller
        .invoke({ verb: 'DELETE', resource: testRunResource, namespace, name }, (options) =>
          custom.deleteNamespacedCustomObject(
            { ...testRuns, namespace, name, propagationPolicy: 'Background' },
            options,
          ),
        )
        .then(() => undefined, ignoreAbsent),
    listPods: async (namespace, labelSelector) =>
      (
        await caller.invoke({ verb: 'LIST', resource: 'pods', namespace }, (options) =>
          core.listNamespacedPod({ namespace, labelSelector }, options),
        )
      ).items,
    followLog: async (namespace, pod, container, sinceTime, onChunk) => {
      const sink = new PassThrough();
      sink.setEncoding('utf8');
      sink.on('data', (chunk: string) => onChunk(chunk));
      const ended = new Promise<void>((resolve) => {
        sink.on('end', resolve);
        sink.on('close', resolve);
        sink.on('error', () => resolve());
      });
      let controller: AbortController;
      try {
        controller = await logs.log(namespace, pod, container, sink, {
          follow: true,
          timestamps: true,
          ...(sinceTime ? { sinceTime } : {}),
        });
      } catch (error) {
        throw toKubeApiError(error, {
          cluster: caller.cluster,
          context: caller.context,
          call: { verb: 'GET', resource: 'pods', namespace, name: pod, subresource: 'log' },
        });
      }
      return {
        ended,
        stop: () => {
          controller.abort();
          sink.end();
        },
      };
    },
  };
}

/** The calls for one cluster, with the same kubeconfig rules as the cluster's ClusterApi. */
export function connectK6Operator(connection: ClusterConnection, options: { cwd?: string } = {}): K6OperatorCalls {
  const config = loadKubeConfig(connection, options.cwd);
  return createK6OperatorCalls(
    config,
    createCaller(connection.cluster, connection.context, defaultRetryPolicy, 15_000),
  );
}
