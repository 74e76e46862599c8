/**
 * YAML with positions: parse once, keep the document, and answer "where is field X?"
 * for every issue found later, so errors name file, line and column.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Alias,
  type Document,
  type Node,
} from 'yaml';
import { errorText, InputError, type InputIssue } from '../errors/errors.js';

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
  const data = toData(doc, file, lineCounter);
  const locate = (path: readonly PathSegment[], at: 'key' | 'value' = 'value') => {
    const offset = findOffset(doc, path, at);
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return { file, data, locate };
}

/** The YAML library's own limit; a file that needs more aliases is an alias bomb, not a scenario. */
const maxAliasCount = 100;

/**
 * Build the plain value. Anything the library throws here comes from the text (an alias with no
 * anchor before it, an alias bomb, a tag it cannot build), so it becomes a positioned input error.
 */
function toData(doc: Document, file: string, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount });
  } catch (error) {
    const reason = errorText(error);
    const aliases: Alias[] = [];
    visit(doc, {
      Alias: (_key, node) => {
        aliases.push(node);
      },
    });
    const unresolved = aliases.find((alias) => alias.resolve(doc) === undefined);
    const culprit = unresolved ?? (/alias/i.test(reason) ? aliases[0] : undefined);
    const pos = lineCounter.linePos(rangeStart(culprit) ?? rangeStart(doc.contents) ?? 0);
    const issue: InputIssue = unresolved
      ? {
          file,
          line: pos.line,
          column: pos.col,
          path: '',
          message: `YAML: alias *${unresolved.source} has no anchor &${unresolved.source} before it`,
          hint: `put &${unresolved.source} on a value above this line, or write the value out here`,
        }
      : /excessive alias count/i.test(reason)
        ? {
            file,
            line: pos.line,
            column: pos.col,
            path: '',
            message: `YAML: aliases expand to too many values (more than ${maxAliasCount} per anchor); refused as a resource-exhaustion attempt`,
            hint: 'write the repeated values out, or use fewer nested aliases',
          }
        : { file, line: pos.line, column: pos.col, path: '', message: `YAML: ${reason.split('\n')[0]}` };
    throw new InputError(`${file} is not valid YAML`, [issue]);
  }
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
