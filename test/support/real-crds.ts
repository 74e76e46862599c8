/**
 * Installs Istio's CRDs (from `.tools/istio/crds.yaml`, extracted from istio.io/api by the build
 * script) into a real apiserver and waits until they are Established and served by discovery.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { jsonOf, rawRequest, waitFor, type ApiEndpoint } from './real-http.js';

interface CrdDocument {
  kind?: string;
  metadata?: { name?: string };
  spec?: { group?: string; versions?: { name: string; served?: boolean }[] };
}

interface CrdStatus {
  status?: { conditions?: { type: string; status: string }[] };
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function readCrds(file: string): CrdDocument[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const crds: CrdDocument[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'YAML error'}`);
    const value = doc.toJS() as CrdDocument | null;
    if (value && value.kind === 'CustomResourceDefinition') crds.push(value);
  }
  if (crds.length === 0)
    throw new Error(`${file} holds no CustomResourceDefinition; rebuild with scripts/build-kube-tools.sh`);
  return crds;
}

export async function installCrds(endpoint: ApiEndpoint, file: string, timeoutMs = 90_000): Promise<string[]> {
  const crds = readCrds(file);
  for (const crd of crds) {
    const response = await rawRequest(endpoint, { method: 'POST', path: crdPath, body: crd, timeoutMs: 30_000 });
    if (response.status !== 201 && response.status !== 409) {
      throw new Error(
        `creating CRD ${crd.metadata?.name ?? '?'} failed: HTTP ${response.status} ${response.text.slice(0, 400)}`,
      );
    }
  }
  const names = crds.map((crd) => crd.metadata?.name ?? '');
  for (const name of names) {
    await waitFor(
      `CRD ${name} to be Established`,
      async () => {
        const response = await rawRequest(endpoint, { method: 'GET', path: `${crdPath}/${name}` });
        const conditions = jsonOf<CrdStatus>(response).status?.conditions ?? [];
        return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      },
      { timeoutMs },
    );
  }
  // Established comes a moment before discovery serves the group; clients look there first.
  const groupVersions = new Set<string>();
  for (const crd of crds) {
    for (const version of crd.spec?.versions ?? []) {
      if (version.served !== false && crd.spec?.group) groupVersions.add(`${crd.spec.group}/${version.name}`);
    }
  }
  for (const groupVersion of groupVersions) {
    await waitFor(
      `discovery to serve ${groupVersion}`,
      async () =>
        (await rawRequest(endpoint, { method: 'GET', path: `/apis/${groupVersion}` })).status === 200
          ? true
          : undefined,
      { timeoutMs },
    );
  }
  return names;
}
