/**
 * Legacy (unaggregated) discovery documents. kubectl and client-go ask for the aggregated
 * v2 format first and fall back to these when the answer is plain `application/json`.
 */
import { apiVersionOf, resourceTypes, resourceVerbs, type ResourceType } from './resource-types.js';

interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: readonly string[];
  shortNames?: readonly string[];
  categories?: readonly string[];
}

export const serverVersion = {
  major: '1',
  minor: '34',
  gitVersion: 'v1.34.0-chaos-lab',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function groups(): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const type of resourceTypes) {
    if (!type.group) continue;
    const versions = byGroup.get(type.group) ?? [];
    for (const version of type.versions) if (!versions.includes(version)) versions.push(version);
    byGroup.set(type.group, versions);
  }
  return byGroup;
}

function subresourceEntries(type: ResourceType): ApiResource[] {
  return type.subresources.map((sub) => {
    switch (sub) {
      case 'status':
        return {
          name: `${type.plural}/status`,
          singularName: '',
          namespaced: type.namespaced,
          kind: type.kind,
          verbs: ['get', 'patch', 'update'],
        };
      case 'scale':
        return {
          name: `${type.plural}/scale`,
          singularName: '',
          namespaced: type.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        };
      case 'log':
        return {
          name: `${type.plural}/log`,
          singularName: '',
          namespaced: type.namespaced,
          kind: type.kind,
          verbs: ['get'],
        };
      case 'eviction':
        return {
          name: `${type.plural}/eviction`,
          singularName: '',
          namespaced: type.namespaced,
          group: 'policy',
          version: 'v1',
          kind: 'Eviction',
          verbs: ['create'],
        };
    }
  });
}

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDocument(name: string, versions: string[]): unknown {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function apiGroupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups()].map(([name, versions]) => groupDocument(name, versions)),
  };
}

export function apiGroup(group: string): unknown | undefined {
  const versions = groups().get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...(groupDocument(group, versions) as object) } : undefined;
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  const types = resourceTypes.filter((type) => type.group === group && type.versions.includes(version));
  if (types.length === 0) return undefined;
  const resources: ApiResource[] = [];
  for (const type of types) {
    const entry: ApiResource = {
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: resourceVerbs,
    };
    if (type.shortNames) entry.shortNames = type.shortNames;
    if (type.categories) entry.categories = type.categories;
    resources.push(entry, ...subresourceEntries(type));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}
