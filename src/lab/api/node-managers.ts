/**
 * Who wrote what on a Node, in metadata.managedFields, as the real server records it: one entry
 * per field manager (the request's fieldManager, else the client's user agent, as the real server
 * derives it) with the time of its last write and the fields it owns. A write takes over the
 * fields it changes; a field removed is nobody's; an entry owning nothing is dropped; a write that
 * changes nothing records nothing. A drain's revert reads it to tell its own cordon from someone
 * else's, and to see anyone else acting on a Node it cordoned. Tracked: spec.unschedulable,
 * spec.taints (one atomic list), each key of metadata.labels and metadata.annotations.
 */
import type { ResourceRequest } from './request-context.js';
import { isRecord, type KubeObject } from './object-types.js';

/** Joins a field path's parts: label and annotation keys hold `/` and `.`, never a NUL. */
const sep = '\u0000';

type Fields = Record<string, Record<string, unknown>>;

interface ManagedEntry {
  manager: string;
  operation: 'Update';
  apiVersion: 'v1';
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Fields;
}

/** Every tracked field as a path (`f:metadata`, `f:annotations`, `f:<key>`) with its value. */
function flatten(object: KubeObject): Map<string, string> {
  const flat = new Map<string, string>();
  const spec = isRecord(object.spec) ? object.spec : {};
  if (spec.unschedulable !== undefined && spec.unschedulable !== null)
    flat.set(['f:spec', 'f:unschedulable'].join(sep), JSON.stringify(spec.unschedulable));
  if (spec.taints !== undefined && spec.taints !== null)
    flat.set(['f:spec', 'f:taints'].join(sep), JSON.stringify(spec.taints));
  for (const map of ['labels', 'annotations'] as const) {
    const values = object.metadata[map];
    if (isRecord(values))
      for (const [key, value] of Object.entries(values))
        flat.set(['f:metadata', `f:${map}`, `f:${key}`].join(sep), String(value));
  }
  return flat;
}

function pathsOf(fields: Fields): string[] {
  const paths: string[] = [];
  const walk = (node: unknown, prefix: string[]): void => {
    const children = isRecord(node) ? Object.entries(node) : [];
    if (children.length === 0) paths.push(prefix.join(sep));
    for (const [key, child] of children) walk(child, [...prefix, key]);
  };
  walk(fields, []);
  return paths.filter((path) => path !== '');
}

function fieldsOf(paths: readonly string[]): Fields {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const part of path.split(sep)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
  }
  return root as Fields;
}

/** Sets `object`'s managedFields from `current`'s and what this write changed. */
export function trackNodeManagers(request: ResourceRequest, object: KubeObject, current: KubeObject): void {
  const agent = String(request.req.headers['user-agent'] ?? 'unknown').split('/')[0] ?? 'unknown';
  const manager = request.query.get('fieldManager') || agent;
  const before = flatten(current);
  const after = flatten(object);
  const changed = [...after].filter(([path, value]) => before.get(path) !== value).map(([path]) => path);
  const removed = [...before.keys()].filter((path) => !after.has(path));
  const previous = Array.isArray(current.metadata.managedFields)
    ? (current.metadata.managedFields as ManagedEntry[])
    : [];
  const owned = new Map(previous.map((entry) => [entry.manager, new Set(pathsOf(entry.fieldsV1))]));
  const times = new Map(previous.map((entry) => [entry.manager, entry.time]));
  for (const paths of owned.values()) for (const path of [...changed, ...removed]) paths.delete(path);
  if (changed.length > 0 || removed.length > 0) {
    const mine = owned.get(manager) ?? new Set<string>();
    for (const path of changed) mine.add(path);
    owned.set(manager, mine);
    times.set(manager, request.cluster.store.timestamp());
  }
  const entries: ManagedEntry[] = [...owned]
    .filter(([, paths]) => paths.size > 0)
    .map(([name, paths]) => ({
      manager: name,
      operation: 'Update',
      apiVersion: 'v1',
      time: times.get(name) ?? request.cluster.store.timestamp(),
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsOf([...paths].sort()),
    }));
  if (entries.length === 0) delete object.metadata.managedFields;
  else object.metadata.managedFields = entries;
}
