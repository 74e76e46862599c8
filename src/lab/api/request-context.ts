/** What a resource handler gets: the parsed route, query, headers and body, and the cluster. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, keyOf, type ResourceKey, type ResourceType } from './resource-types.js';
import { isRecord, type KubeObject } from './object-types.js';
import { errors } from './status.js';
import type { Allocator } from './admission.js';
import type { ObjectStore } from './store.js';
import type { PodLogs } from './pod-logs.js';

export interface ClusterApi {
  store: ObjectStore;
  allocator: Allocator;
  /** Each Pod's access log, for `kubectl logs`. */
  logs: PodLogs;
}

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  cluster: ClusterApi;
  type: ResourceType;
  key: ResourceKey;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  body: string;
  dryRun: boolean;
  table: boolean;
}

export function makeRequest(fields: Omit<ResourceRequest, 'key' | 'dryRun'>): ResourceRequest {
  return { ...fields, key: keyOf(fields.type), dryRun: fields.query.getAll('dryRun').includes('All') };
}

/** An object as served under the requested version: CRs are stored once, served under three. */
export function render(request: Pick<ResourceRequest, 'type' | 'version'>, object: KubeObject): KubeObject {
  return { ...object, apiVersion: apiVersionOf(request.type.group, request.version), kind: request.type.kind };
}

/** A client-sent object, checked for the parts every kind needs before admission. */
export function toKubeObject(request: ResourceRequest, raw: Record<string, unknown>): KubeObject {
  const expected = apiVersionOf(request.type.group, request.version);
  if (
    typeof raw.apiVersion === 'string' &&
    raw.apiVersion !== expected &&
    !request.type.versions.some((v) => apiVersionOf(request.type.group, v) === raw.apiVersion)
  ) {
    throw errors.badRequest(
      `the API version in the data (${raw.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  if (typeof raw.kind === 'string' && raw.kind !== request.type.kind) {
    throw errors.badRequest(
      `the kind in the data (${raw.kind}) does not match the expected kind (${request.type.kind})`,
    );
  }
  const metadata = raw.metadata ?? {};
  if (!isRecord(metadata)) throw errors.badRequest('json: cannot unmarshal metadata: it must be an object');
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string')
    throw errors.badRequest('metadata.namespace must be a string');
  if (request.type.namespaced) {
    const namespace = (metadata.namespace as string | undefined) || request.namespace;
    if (request.namespace && namespace !== request.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!namespace) throw errors.badRequest('an empty namespace may not be set during creation');
    metadata.namespace = namespace;
  } else {
    delete metadata.namespace;
  }
  return { ...raw, apiVersion: expected, kind: request.type.kind, metadata: metadata as KubeObject['metadata'] };
}
