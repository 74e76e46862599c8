/** coordination.k8s.io/v1 Leases, for the one-run-per-environment lock. */
import { CoordinationV1Api, CoreV1Api, V1MicroTime, type KubeConfig } from '@kubernetes/client-node';
import { isAlreadyExists, isNotFound } from './api-error.js';
import type { Caller } from './call.js';
import type { Lease } from './types.js';

const resource = 'leases.coordination.k8s.io';

export interface CoordinationCalls {
  readLease(namespace: string, name: string): Promise<Lease>;
  /** Create; 409 AlreadyExists when someone else made it first. Sent once: a race is the caller's to decide. */
  createLease(namespace: string, lease: Lease): Promise<Lease>;
  /** Replace with the resourceVersion inside `lease` as the precondition (409 if it moved). */
  replaceLease(namespace: string, name: string, lease: Lease): Promise<Lease>;
  deleteLease(namespace: string, name: string, resourceVersion?: string): Promise<void>;
  /** Creates a namespace if it is not there (the lock's); AlreadyExists is success. */
  ensureNamespace(name: string): Promise<void>;
}

export function createCoordinationCalls(config: KubeConfig, caller: Caller): CoordinationCalls {
  const coordination = config.makeApiClient(CoordinationV1Api);
  const core = config.makeApiClient(CoreV1Api);
  return {
    readLease: (namespace, name) =>
      caller.invoke({ verb: 'GET', resource, namespace, name }, (options) =>
        coordination.readNamespacedLease({ namespace, name }, options),
      ),
    createLease: (namespace, body) =>
      caller.invoke(
        { verb: 'CREATE', resource, namespace, name: body.metadata?.name },
        (options) => coordination.createNamespacedLease({ namespace, body }, options),
        { once: true },
      ),
    replaceLease: (namespace, name, body) =>
      caller.invoke(
        { verb: 'REPLACE', resource, namespace, name },
        (options) => coordination.replaceNamespacedLease({ namespace, name, body }, options),
        { once: true },
      ),
    ensureNamespace: async (name) => {
      try {
        await caller.invoke({ verb: 'GET', resource: 'namespaces', name }, (options) =>
          core.readNamespace({ name }, options),
        );
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      try {
        await caller.invoke(
          { verb: 'CREATE', resource: 'namespaces', name },
          (options) =>
            core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }, options),
          { once: true },
        );
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    },
    deleteLease: async (namespace, name, resourceVersion) => {
      await caller.invoke({ verb: 'DELETE', resource, namespace, name }, (options) =>
        coordination.deleteNamespacedLease(
          { namespace, name, body: resourceVersion ? { preconditions: { resourceVersion } } : undefined },
          options,
        ),
      );
    },
  };
}

/**
 * A Lease time. Lease times are MicroTime: the server parses exactly six fractional digits,
 * and a plain Date would serialize with three (rejected), so this must be a V1MicroTime.
 */
export function leaseTime(ms: number): Date {
  return new V1MicroTime(ms);
}
