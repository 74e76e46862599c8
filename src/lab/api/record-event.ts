/**
 * Kubernetes Events for what the lab's controllers do (scaling, scheduling, starting, readiness,
 * eviction, stopping), as core/v1 Events like the real components record them, so
 * `kubectl get events` and `kubectl describe` tell the story of a fault. Bounded per cluster:
 * the oldest go first, as the real server's TTL would take them.
 */
import type { KubeObject } from './object-types.js';
import type { ObjectStore } from './store.js';
import { keys } from './resource-types.js';

const eventLimit = 2_000;

export interface EventNote {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The component that acted: deployment-controller, default-scheduler, kubelet, … */
  component: string;
  /** The node, for kubelet events. */
  host?: string;
}

let sequence = 0n;

/** Nanoseconds since the epoch in hex, made unique within the process by a counter in the low digits. */
function eventSuffix(now: Date): string {
  sequence = (sequence + 1n) % 1_000_000n;
  return (BigInt(now.getTime()) * 1_000_000n + sequence).toString(16);
}

export function recordEvent(store: ObjectStore, involved: KubeObject, note: EventNote): void {
  const namespace = involved.metadata.namespace ?? 'default';
  const now = store.now();
  const seconds = store.timestamp();
  store.create(keys.events, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      // Like the real recorder (`<name>.<UnixNano in hex>`): one object's events sort by time.
      name: `${involved.metadata.name}.${eventSuffix(now)}`,
      namespace,
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
    },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      namespace,
      uid: involved.metadata.uid,
      resourceVersion: involved.metadata.resourceVersion,
    },
    reason: note.reason,
    message: note.message,
    type: note.type,
    source: { component: note.component, ...(note.host ? { host: note.host } : {}) },
    firstTimestamp: seconds,
    lastTimestamp: seconds,
    count: 1,
    eventTime: null,
    reportingComponent: note.component,
    reportingInstance: note.host ?? '',
  });
  const all = store.peekAll(keys.events);
  if (all.length > eventLimit) {
    const oldest = [...all]
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .slice(0, all.length - eventLimit);
    for (const event of oldest) store.remove(keys.events, event.metadata.namespace, event.metadata.name);
  }
}
