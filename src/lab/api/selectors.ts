/**
 * Label and field selectors: the string grammar of `?labelSelector=` / `?fieldSelector=`
 * and the structured `LabelSelector` of Deployments and PDBs. Small enough to write here.
 */
import { errors } from './status.js';
import type { KubeObject, LabelSelector, Labels } from './object-types.js';

export type Requirement =
  | { op: 'equals' | 'notEquals'; key: string; value: string }
  | { op: 'in' | 'notIn'; key: string; values: string[] }
  | { op: 'exists' | 'doesNotExist'; key: string };

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current);
  return terms.map((term) => term.trim()).filter((term) => term.length > 0);
}

const setTerm = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const equalityTerm = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const existsTerm = /^(!?)([^\s!=()]+)$/;

export function parseLabelSelector(text: string): Requirement[] {
  return splitTerms(text).map((term): Requirement => {
    const set = setTerm.exec(term);
    if (set) {
      const values = (set[3] ?? '')
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value.length > 0);
      return { op: set[2] === 'in' ? 'in' : 'notIn', key: set[1] ?? '', values };
    }
    const equality = equalityTerm.exec(term);
    if (equality)
      return { op: equality[2] === '!=' ? 'notEquals' : 'equals', key: equality[1] ?? '', value: equality[3] ?? '' };
    const exists = existsTerm.exec(term);
    if (exists) return { op: exists[1] === '!' ? 'doesNotExist' : 'exists', key: exists[2] ?? '' };
    throw errors.badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

export function matchesRequirements(labels: Labels | undefined, requirements: readonly Requirement[]): boolean {
  const has = (key: string): boolean => labels !== undefined && Object.hasOwn(labels, key);
  return requirements.every((req) => {
    const value = labels?.[req.key];
    switch (req.op) {
      case 'equals':
        return value === req.value;
      case 'notEquals':
        return value !== req.value;
      case 'in':
        return value !== undefined && req.values.includes(value);
      case 'notIn':
        return value === undefined || !req.values.includes(value);
      case 'exists':
        return has(req.key);
      case 'doesNotExist':
        return !has(req.key);
    }
  });
}

/** A structured selector as requirements; an empty selector selects everything, as in policy/v1. */
function requirementsOf(selector: LabelSelector | undefined): Requirement[] {
  const requirements: Requirement[] = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => ({
    op: 'equals',
    key,
    value,
  }));
  for (const expression of selector?.matchExpressions ?? []) {
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        requirements.push({ op: 'in', key: expression.key, values });
        break;
      case 'NotIn':
        requirements.push({ op: 'notIn', key: expression.key, values });
        break;
      case 'Exists':
        requirements.push({ op: 'exists', key: expression.key });
        break;
      default:
        requirements.push({ op: 'doesNotExist', key: expression.key });
    }
  }
  return requirements;
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  return matchesRequirements(labels, requirementsOf(selector));
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** Fields each kind can be selected on, like the real server's field label conversion funcs. */
const fieldsByKind: Record<string, readonly string[]> = {
  Pod: [
    'spec.nodeName',
    'status.phase',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Event: [
    'involvedObject.kind',
    'involvedObject.name',
    'involvedObject.namespace',
    'involvedObject.uid',
    'reason',
    'type',
    'source',
  ],
};

export function parseFieldSelector(text: string, kind: string): FieldRequirement[] {
  const allowed = ['metadata.name', 'metadata.namespace', ...(fieldsByKind[kind] ?? [])];
  return splitTerms(text).map((term) => {
    const match = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!match) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = (match[1] ?? '').trim();
    if (!allowed.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, value: (match[3] ?? '').trim(), negate: match[2] === '!=' };
  });
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[part] : undefined;
  }
  if (current === undefined || current === null) return path === 'spec.unschedulable' ? 'false' : '';
  return String(current);
}

export function matchesFields(object: KubeObject, requirements: readonly FieldRequirement[]): boolean {
  return requirements.every((req) => (fieldValue(object, req.field) === req.value) !== req.negate);
}
