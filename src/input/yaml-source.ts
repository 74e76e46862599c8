/**
 * YAML with positions: parse once, keep the document, and answer "where is field X?"
 * for every issue found later, so errors name file, line and column.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError, type InputIssue } from '../errors/errors.js';

export type PathSegment = string | number;

export interface YamlSource {
  file: string;
  data: unknown;
  /** Position of the value at `path` (or of its key, for unknown keys). Falls back to the nearest parent. */
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): { line: number; column: number };
}

export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return /^[A-Za-z_$][\w$-]*$/.test(segment)
      ? text
        ? `${text}.${segment}`
        : segment
      : `${text}[${JSON.stringify(segment)}]`;
  }, '');
}

/** Parse YAML text; syntax errors become positioned InputErrors and nothing else happens. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: InputIssue[] = doc.errors.map((error) => {
      const pos = lineCounter.linePos(error.pos[0]);
      return {
        file,
        line: pos.line,
        column: pos.col,
        path: '',
        message: `YAML syntax: ${error.message.split('\n')[0]}`,
      };
    });
    throw new InputError(`${file} is not valid YAML`, issues);
  }
  const data: unknown = doc.toJS();
  const locate = (path: readonly PathSegment[], at: 'key' | 'value' = 'value') => {
    const offset = findOffset(doc, path, at);
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return { file, data, locate };
}

function findOffset(doc: Document, path: readonly PathSegment[], at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return offset;
      if (last && at === 'key') return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
    } else return offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
