/**
 * Watch streams, for the guard: it is told when a Lease or a marked object changes instead of
 * polling. A stream only says "something changed" (type and name); the guard re-reads what it
 * needs through the typed calls. Streams end (server timeout, network): the caller restarts them.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';

export type WatchedResource = 'leases' | 'deployments' | 'statefulsets' | 'hpas' | 'nodes' | 'virtualservices';

const paths: Record<WatchedResource, (namespace?: string) => string> = {
  leases: (namespace) => `/apis/coordination.k8s.io/v1${namespace ? `/namespaces/${namespace}` : ''}/leases`,
  deployments: () => '/apis/apps/v1/deployments',
  statefulsets: () => '/apis/apps/v1/statefulsets',
  hpas: () => '/apis/autoscaling/v2/horizontalpodautoscalers',
  nodes: () => '/api/v1/nodes',
  virtualservices: () => '/apis/networking.istio.io/v1/virtualservices',
};

interface WatchChange {
  type: string;
  name: string;
  namespace?: string;
}

export interface WatchCalls {
  /**
   * Streams changes of one resource (every namespace, or `namespace`). `onEnd` is called once when
   * the stream ends, with the error if any (a 404 means the resource is not served). Returns stop.
   */
  watchResource(
    resource: WatchedResource,
    namespace: string | undefined,
    onChange: (change: WatchChange) => void,
    onEnd: (error?: unknown) => void,
  ): Promise<() => void>;
}

export function createWatchCalls(config: KubeConfig): WatchCalls {
  const watch = new Watch(config);
  return {
    watchResource: async (resource, namespace, onChange, onEnd) => {
      const controller = await watch.watch(
        paths[resource](namespace),
        // The server closes the stream after this; the caller starts a new one (a fresh list of ADDED).
        { timeoutSeconds: 300 },
        (type: string, object: { metadata?: { name?: string; namespace?: string } } | undefined) =>
          onChange({ type, name: object?.metadata?.name ?? '', namespace: object?.metadata?.namespace }),
        (error: unknown) => onEnd(error ?? undefined),
      );
      return () => controller.abort();
    },
  };
}

/** The HTTP status of a failed watch start (client-node puts it on the error), if any. */
export function watchErrorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
