/**
 * Minimal OpenAPI v3 documents. kubectl apply asks `/openapi/v3` whether the server takes
 * `?fieldValidation=` on PATCH for a kind (then the server validates and kubectl needs no
 * schema); without an answer it refuses to apply. So each group-version lists, per resource,
 * a PATCH operation carrying its x-kubernetes-group-version-kind and that query parameter.
 * No request body media types are listed, so kubectl computes strategic merge patches from its
 * built-in types and JSON merge patches for custom resources, as it does for CRDs.
 */
import { apiVersionOf, resourceTypes } from './resource-types.js';

function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const type of resourceTypes)
    for (const version of type.versions) seen.set(apiVersionOf(type.group, version), { group: type.group, version });
  return [...seen.values()];
}

function pathKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiIndex(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of groupVersions()) {
    const key = pathKey(group, version);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=chaos-lab-1` };
  }
  return { paths };
}

export function openApiGroupVersion(path: string): unknown | undefined {
  const match = groupVersions().find(({ group, version }) => `openapi/v3/${pathKey(group, version)}` === path);
  if (!match) return undefined;
  const paths: Record<string, unknown> = {};
  for (const type of resourceTypes) {
    if (type.group !== match.group || !type.versions.includes(match.version)) continue;
    const prefix = `/${pathKey(match.group, match.version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}/{name}`;
    paths[prefix] = {
      patch: {
        operationId: `patch${type.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: type.group, version: match.version, kind: type.kind },
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.34.0-chaos-lab' }, paths, components: {} };
}
