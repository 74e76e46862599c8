/**
 * The garbage collector and namespace finaliser: when an owner goes, its dependents go
 * (background propagation); a Terminating namespace empties, then disappears.
 */
import { isTerminating, type KubeObject } from '../api/object-types.js';
import { keyOf, keys, resourceTypes } from '../api/resource-types.js';
import { deleteObject } from '../api/deletion.js';
import type { ClusterApi } from '../api/request-context.js';
import { WorkQueue, type ControllerErrorHandler } from './work-queue.js';

const namespacedTypes = resourceTypes.filter((type) => type.namespaced);

function collectDependents(cluster: ClusterApi, owner: KubeObject): void {
  for (const type of namespacedTypes) {
    for (const object of cluster.store.peekAll(keyOf(type), owner.metadata.namespace)) {
      if (isTerminating(object)) continue;
      if (object.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid)) {
        deleteObject(cluster.store, type, object.metadata.namespace, object.metadata.name);
      }
    }
  }
}

function finaliseNamespace(cluster: ClusterApi, name: string): void {
  const namespace = cluster.store.peek(keys.namespaces, undefined, name);
  if (!namespace || !isTerminating(namespace)) return;
  let remaining = 0;
  for (const type of namespacedTypes) {
    for (const object of cluster.store.peekAll(keyOf(type), name)) {
      remaining += 1;
      if (!isTerminating(object)) deleteObject(cluster.store, type, name, object.metadata.name);
    }
  }
  if (remaining === 0) cluster.store.remove(keys.namespaces, undefined, name);
}

export function startGarbageCollector(cluster: ClusterApi, onError: ControllerErrorHandler): () => void {
  const owners = new Map<string, KubeObject>();
  const queue = new WorkQueue(
    'garbage-collector',
    (id) => {
      if (id.startsWith('ns/')) return finaliseNamespace(cluster, id.slice(3));
      const owner = owners.get(id);
      owners.delete(id);
      if (owner) collectDependents(cluster, owner);
    },
    onError,
  );
  const unsubscribe = cluster.store.subscribe((event) => {
    if (event.type === 'DELETED' && event.object.metadata.namespace !== undefined) {
      owners.set(event.object.metadata.uid, event.object);
      queue.add(event.object.metadata.uid);
      queue.add(`ns/${event.object.metadata.namespace}`);
    }
    if (event.key === keys.namespaces && isTerminating(event.object)) queue.add(`ns/${event.object.metadata.name}`);
  });
  return () => {
    unsubscribe();
    queue.stop();
  };
}
