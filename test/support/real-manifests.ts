/**
 * Creates plain manifests (test/fixtures/real-api) on a real apiserver: enough of `kubectl create`
 * for the kinds our fixtures use, with the apiserver's own error in any failure.
 */
import { rawRequest, type ApiEndpoint } from './real-http.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const plurals: Record<string, string> = {
  Namespace: 'namespaces',
  Node: 'nodes',
  Pod: 'pods',
  Service: 'services',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  PodDisruptionBudget: 'poddisruptionbudgets',
  EndpointSlice: 'endpointslices',
  Lease: 'leases',
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  Gateway: 'gateways',
};

/** `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/namespaces/ns/deployments`, `/api/v1/nodes`, … */
function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const plural = plurals[kind];
  if (!plural) throw new Error(`no REST path known for kind ${kind}; add it to test/support/real-manifests.ts`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

export async function createManifests(endpoint: ApiEndpoint, manifests: readonly Manifest[]): Promise<void> {
  for (const manifest of manifests) {
    const path = collectionPath(manifest.apiVersion, manifest.kind, manifest.metadata.namespace);
    const response = await rawRequest(endpoint, { method: 'POST', path, body: manifest });
    if (response.status !== 201) {
      const where = `${manifest.kind} ${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`;
      throw new Error(`creating ${where} failed: HTTP ${response.status} ${response.text.slice(0, 500)}`);
    }
  }
}
