/**
 * A practical subset of Kubernetes strategic merge patch for built-in kinds: maps merge,
 * `null` deletes, lists with a known merge key merge item by item (containers by name,
 * ports by port number, conditions by type…), `$patch: replace|delete` and the
 * `$setElementOrder/` / `$retainKeys` / `$deleteFromPrimitiveList/` directives kubectl sends.
 * Lists without a merge key are replaced, as the real schema does for them.
 */
import { isRecord } from './object-types.js';

/** Merge keys by field name; the real ones come from Go struct tags (`patchMergeKey`). */
const mergeKeys: Record<string, readonly string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  conditions: ['type'],
  ownerReferences: ['uid'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey'],
  resourceClaims: ['name'],
  // Container ports merge on containerPort, Service ports on port: the first key present wins.
  ports: ['containerPort', 'port'],
};

/** Primitive lists merged as sets rather than replaced. */
const mergedPrimitiveLists = new Set(['finalizers']);

function mergeKeyFor(field: string, items: readonly unknown[]): string | undefined {
  const candidates = mergeKeys[field];
  if (!candidates) return undefined;
  const sample = items.find(isRecord);
  if (!sample) return candidates[0];
  return candidates.find((key) => key in sample) ?? candidates[0];
}

function mergeList(field: string, original: unknown, patch: unknown[]): unknown[] {
  const base = Array.isArray(original) ? original : [];
  if (mergedPrimitiveLists.has(field) && patch.every((item) => !isRecord(item))) {
    return [...base, ...patch.filter((item) => !base.includes(item))];
  }
  const key = mergeKeyFor(field, [...patch, ...base]);
  if (!key) return patch.filter((item) => !(isRecord(item) && '$patch' in item));
  if (patch.some((item) => isRecord(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isRecord(item) && item.$patch === 'replace'));
  }
  const result: unknown[] = base.map((item) => structuredClone(item));
  for (const item of patch) {
    if (!isRecord(item)) continue;
    const index = result.findIndex((existing) => isRecord(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = strategicMerge(result[index], item);
    else result.push(strategicMerge({}, item));
  }
  return result;
}

function orderBy(list: unknown[], order: unknown, key: string | undefined): unknown[] {
  if (!Array.isArray(order) || !key) return list;
  const position = (item: unknown): number => {
    const value = isRecord(item) ? item[key] : item;
    const index = order.findIndex((entry) => (isRecord(entry) ? entry[key] : entry) === value);
    return index < 0 ? order.length : index;
  };
  return [...list].sort((a, b) => position(a) - position(b));
}

export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isRecord(original) ? structuredClone(original) : {};
  const retainKeys = Array.isArray(patch.$retainKeys)
    ? patch.$retainKeys.filter((key): key is string => typeof key === 'string')
    : undefined;
  for (const [field, value] of Object.entries(patch)) {
    if (field === '$patch' || field === '$retainKeys' || field.startsWith('$setElementOrder/')) continue;
    if (field.startsWith('$deleteFromPrimitiveList/')) {
      const target = field.slice('$deleteFromPrimitiveList/'.length);
      const current = result[target];
      if (Array.isArray(current) && Array.isArray(value))
        result[target] = current.filter((item) => !value.includes(item));
      continue;
    }
    if (value === null) {
      delete result[field];
    } else if (Array.isArray(value)) {
      const merged = mergeList(field, result[field], value);
      result[field] = orderBy(merged, patch[`$setElementOrder/${field}`], mergeKeyFor(field, merged));
    } else if (isRecord(value)) {
      const merged = strategicMerge(result[field], value);
      if (merged === undefined) delete result[field];
      else result[field] = merged;
    } else {
      result[field] = value;
    }
  }
  if (retainKeys) {
    for (const field of Object.keys(result)) if (!retainKeys.includes(field) && !(field in patch)) delete result[field];
  }
  return result;
}
