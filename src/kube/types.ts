/**
 * The object types the rest of the harness sees. Built-in kinds are client-node's models,
 * re-exported here so that only src/kube/ names the library; Istio's VirtualService is ours,
 * kept as plain JSON with every unknown field preserved, because we must write back exactly
 * what we read.
 */
export type {
  V1Deployment as Deployment,
  V1StatefulSet as StatefulSet,
  V1Pod as Pod,
  V1Node as Node,
  V1Service as Service,
  V1EndpointSlice as EndpointSlice,
  V1Lease as Lease,
  V2HorizontalPodAutoscaler as HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

export type WorkloadKind = 'Deployment' | 'StatefulSet';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** RFC 6902 operations we send. Paths are JSON pointers (`/` in a key is `~1`). */
export type JsonPatchOp =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** Merge patch (RFC 7386): `null` deletes a key. */
export type MergePatch = { [key: string]: unknown };

interface VirtualServiceDestination {
  host?: string;
  subset?: string;
  port?: { number?: number };
  [key: string]: unknown;
}

export interface HttpRoute {
  name?: string;
  match?: JsonValue[];
  route?: Array<{ destination?: VirtualServiceDestination; weight?: number; [key: string]: unknown }>;
  fault?: { delay?: JsonObject; abort?: JsonObject; [key: string]: JsonValue | undefined };
  delegate?: JsonObject;
  [key: string]: unknown;
}

export interface VirtualService {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    generation?: number;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  spec: {
    hosts?: string[];
    gateways?: string[];
    http?: HttpRoute[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Escapes one key for a JSON pointer (RFC 6901): `chaos.dev/run` → `chaos.dev~1run`. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
