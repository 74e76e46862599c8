/**
 * zod issues → InputIssues with file, line, column, field path, what was expected and a hint.
 * Unknown keys get "did you mean …?" from the keys the JSON Schema allows at that place.
 */
import { z } from 'zod';
import type { InputIssue } from '../errors/errors.js';
import { suggest } from './suggest.js';
import { formatPath, type PathSegment, type YamlSource } from './yaml-source.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
};

/** The JSON Schema of each zod schema, built once: `chaos validate` of many files reuses it. */
const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

export function collectSchemaIssues(source: YamlSource, schema: z.ZodType, error: z.ZodError): InputIssue[] {
  let jsonSchema = jsonSchemas.get(schema);
  if (!jsonSchema)
    jsonSchemas.set(
      schema,
      (jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema),
    );
  const issues: InputIssue[] = [];
  for (const issue of error.issues) issues.push(...toInputIssues(source, jsonSchema, issue));
  return dedupe(issues);
}

function toInputIssues(source: YamlSource, jsonSchema: JsonSchema, issue: z.core.$ZodIssue): InputIssue[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(jsonSchema, path, source.data);
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const pos = source.locate(keyPath, 'key');
      return {
        file: source.file,
        ...pos,
        path: formatPath(keyPath),
        message: `unknown field "${key}"${allowed.length ? `; expected one of: ${allowed.join(', ')}` : ''}`,
        hint: suggest(key, allowed),
      };
    });
  }
  const value = valueAt(source.data, path);
  const at = issue.code === 'custom' && (issue.params as { at?: string } | undefined)?.at === 'key' ? 'key' : 'value';
  const pos = source.locate(path, at);
  const parent = valueAt(source.data, path.slice(0, -1));
  const missing =
    value === undefined && path.length > 0 && parent !== null && typeof parent === 'object' && !Array.isArray(parent);
  const field = path.length ? String(path[path.length - 1]) : '';
  const text = plainMessage(issue);
  const message = missing
    ? `missing required field "${field}": ${text}`
    : issue.code === 'custom' || text.includes('(got ')
      ? text
      : `${text}${describeValue(value)}`;
  return [{ file: source.file, ...pos, path: formatPath(path), message }];
}

/** zod's defaults ("Invalid input: expected number, received string") read as "expected a number". */
function plainMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
    return `expected ${article} ${issue.expected === 'object' ? 'mapping (key: value)' : issue.expected === 'array' ? 'list' : issue.expected}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

function describeValue(value: unknown): string {
  if (value === undefined || typeof value === 'object') return '';
  return ` (got ${JSON.stringify(value)})`;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** The property names the schema accepts for the object at `path`, choosing union branches by the data. */
function allowedKeysAt(schema: JsonSchema, path: readonly PathSegment[], data: unknown): string[] {
  let node: JsonSchema | undefined = schema;
  let value = data;
  for (const segment of path) {
    node = pickBranch(node, value);
    if (!node) return [];
    value = (value as Record<string | number, unknown> | undefined)?.[segment];
    if (typeof segment === 'number') node = node.items;
    else
      node =
        node.properties?.[segment] ??
        (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  node = pickBranch(node, value);
  return Object.keys(node?.properties ?? {});
}

function pickBranch(node: JsonSchema | undefined, value: unknown): JsonSchema | undefined {
  const branches = node?.anyOf ?? node?.oneOf;
  if (!branches) return node;
  const record = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  const byType = branches.find((branch) => {
    const typeConst = branch.properties?.type?.const;
    return typeConst !== undefined && record?.type === typeConst;
  });
  if (byType) return byType;
  const isArray = Array.isArray(value);
  return (
    branches.find((branch) => (isArray ? branch.type === 'array' : branch.type === 'object' || branch.properties)) ??
    branches[0]
  );
}

function dedupe(issues: InputIssue[]): InputIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
