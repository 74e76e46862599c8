/**
 * core/v1 Events: what the guard did, recorded on the object it did it to, where `kubectl describe`
 * and `kubectl get events` show it.
 */
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { Caller } from './call.js';

export type KubeEvent = CoreV1Event;

export interface EventCalls {
  createEvent(namespace: string, event: KubeEvent): Promise<KubeEvent>;
  listEvents(namespace: string | undefined, fieldSelector?: string): Promise<KubeEvent[]>;
}

export function createEventCalls(config: KubeConfig, caller: Caller): EventCalls {
  const core = config.makeApiClient(CoreV1Api);
  return {
    createEvent: (namespace, body) =>
      caller.invoke(
        { verb: 'CREATE', resource: 'events', namespace, name: body.metadata?.name },
        (options) => core.createNamespacedEvent({ namespace, body }, options),
        { once: true },
      ),
    listEvents: async (namespace, fieldSelector) => {
      const list = await caller.invoke({ verb: 'LIST', resource: 'events', namespace }, (options) =>
        namespace === undefined
          ? core.listEventForAllNamespaces({ fieldSelector }, options)
          : core.listNamespacedEvent({ namespace, fieldSelector }, options),
      );
      return list.items;
    },
  };
}
