/**
 * URL path → what is being asked for, following the apiserver's path layout:
 * /api/v1[/watch][/namespaces/<ns>]/<plural>[/<name>[/<subresource>]] and the same under
 * /apis/<group>/<version>. Namespaces themselves live at /api/v1/namespaces/<name>.
 */
import { findResource, type ResourceType } from './resource-types.js';

export type Route =
  | { kind: 'document'; path: 'api' | 'apis' | 'version' | 'health' }
  | { kind: 'openapi'; path: string }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | {
      kind: 'resource';
      type: ResourceType;
      version: string;
      namespace?: string;
      name?: string;
      subresource?: string;
      watch: boolean;
    }
  | { kind: 'malformed' }
  | { kind: 'unknown' };

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let parts = rest;
  let watch = false;
  if (parts[0] === 'watch') {
    watch = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  // `namespaces/<ns>/<plural>…` is namespaced; `namespaces[/<name>[/status]]` is the Namespace itself.
  if (group === '' && parts[0] === 'namespaces' && parts.length >= 3 && parts[2] !== 'status') {
    namespace = parts[1];
    parts = parts.slice(2);
  } else if (group !== '' && parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [plural, name, subresource, ...extra] = parts;
  if (!plural || extra.length > 0) return { kind: 'unknown' };
  const type = findResource(group, version, plural);
  if (!type) return { kind: 'unknown' };
  if (namespace !== undefined && !type.namespaced) return { kind: 'unknown' };
  if (subresource !== undefined && !type.subresources.includes(subresource as never)) return { kind: 'unknown' };
  const route: Route = { kind: 'resource', type, version, watch };
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (subresource !== undefined) route.subresource = subresource;
  return route;
}

function decodeParts(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((part) => part.length > 0)
      .map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
}

export function routeOf(pathname: string): Route {
  const parts = decodeParts(pathname);
  if (!parts) return { kind: 'malformed' };
  const [root, second, third, ...rest] = parts;
  switch (root) {
    case 'version':
      return parts.length === 1 ? { kind: 'document', path: 'version' } : { kind: 'unknown' };
    case 'healthz':
    case 'livez':
    case 'readyz':
      return { kind: 'document', path: 'health' };
    case 'openapi':
      return { kind: 'openapi', path: parts.join('/') };
    case 'api':
      if (second === undefined) return { kind: 'document', path: 'api' };
      if (second !== 'v1') return { kind: 'unknown' };
      if (third === undefined) return { kind: 'groupVersion', group: '', version: 'v1' };
      return resourceRoute('', 'v1', [third, ...rest]);
    case 'apis':
      if (second === undefined) return { kind: 'document', path: 'apis' };
      if (third === undefined) return { kind: 'group', group: second };
      if (rest.length === 0) return { kind: 'groupVersion', group: second, version: third };
      return resourceRoute(second, third, rest);
    default:
      return { kind: 'unknown' };
  }
}
