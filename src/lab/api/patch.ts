/**
 * PATCH bodies, by content type, with the answers kube-apiserver gives: JSON patch and merge
 * patch for every kind, strategic merge for built-ins only (415 on custom resources), and
 * apply-patch as a reasonable subset (create if absent, else merge) without field ownership.
 */
import jsonPatch from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import { errors } from './status.js';
import { isRecord } from './object-types.js';
import { strategicMerge } from './strategic-merge.js';
import { errorText } from '../../errors/errors.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const mediaTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function patchTypeOf(contentType: string | undefined, custom: boolean): PatchType {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const type = mediaTypes[media];
  const accepted = custom
    ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']
    : [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
        'application/strategic-merge-patch+json',
      ];
  if (!type || (type === 'strategic' && custom)) throw errors.unsupportedMediaType(media, accepted);
  return type;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw errors.badRequest(`error decoding patch: ${errorText(error)}`);
  }
}

function applyJsonPatch(current: unknown, body: string): unknown {
  const operations = parseJson(body);
  if (!Array.isArray(operations)) {
    throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  try {
    const document = structuredClone(current);
    return jsonPatch.applyPatch(document, operations as jsonPatch.Operation[], true, true).newDocument;
  } catch {
    // A failed `test`, a missing path or a malformed op: the real server answers 422 for all.
    throw errors.patchNotApplicable();
  }
}

function parseApplyBody(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(body);
  } catch (error) {
    throw errors.badRequest(`error decoding YAML: ${errorText(error)}`);
  }
  if (!isRecord(parsed)) throw errors.badRequest('error decoding YAML: the body is not an object');
  return parsed;
}

/** Applies a patch body to the current object (undefined for an apply that creates). */
export function applyPatch(type: PatchType, current: unknown, body: string, custom: boolean): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, body);
    case 'merge': {
      const patch = parseJson(body);
      if (!isRecord(patch)) throw errors.badRequest('error decoding patch: a merge patch must be a JSON object');
      return mergePatch(current, patch);
    }
    case 'strategic': {
      const patch = parseJson(body);
      if (!isRecord(patch))
        throw errors.badRequest('error decoding patch: a strategic merge patch must be a JSON object');
      return strategicMerge(current, patch);
    }
    case 'apply': {
      // Server-side apply merges lists by their keys on built-ins and atomically on CRs.
      const patch = parseApplyBody(body);
      return custom ? mergePatch(current ?? {}, patch) : strategicMerge(current ?? {}, patch);
    }
  }
}
