/**
 * The `chaos.dev/conflict` mark a revert leaves on an object someone else changed (conflict.ts),
 * read back by every kind's leftover scan so `chaos recover` lists it with the command that clears it.
 */
import type { ClusterApi } from '../kube/cluster-api.js';
import { kubectl } from './wait.js';

export const conflictAnnotation = 'chaos.dev/conflict';

/** What the mark says, as JSON on the object. */
export interface ConflictMark {
  run: string;
  fault: string;
  at: string;
  /** What differed: the undo's own words. */
  detail: string;
  /** The kubectl command that would restore what the run changed, if a person decides to. */
  manual: string;
}

/** The mark on an object, if it carries a readable one. */
export function readConflictMark(annotations: Record<string, string> | undefined): ConflictMark | undefined {
  const text = annotations?.[conflictAnnotation];
  if (!text) return undefined;
  try {
    const mark = JSON.parse(text) as Partial<ConflictMark>;
    return {
      run: String(mark.run ?? '?'),
      fault: String(mark.fault ?? '?'),
      at: String(mark.at ?? '?'),
      detail: String(mark.detail ?? text),
      manual: String(mark.manual ?? ''),
    };
  } catch {
    return { run: '?', fault: '?', at: '?', detail: text, manual: '' };
  }
}

/** A marked object as a scan reports it, with the command that clears the mark. */
export interface ConflictNote {
  cluster: string;
  object: string;
  mark: ConflictMark;
  clear: string;
}

/** Notes a marked object in a scan's result, with the command that clears the mark. */
export function noteConflict(
  api: ClusterApi,
  result: { conflicts: ConflictNote[] },
  object: { kind: string; namespace?: string; name?: string },
  annotations: Record<string, string> | undefined,
): void {
  const mark = readConflictMark(annotations);
  if (!mark) return;
  const clear = `${kubectl(api.context, object.namespace)} annotate ${object.kind.toLowerCase()}/${object.name} ${conflictAnnotation}-`;
  result.conflicts.push({
    cluster: api.cluster,
    object: `${object.kind} ${object.namespace}/${object.name}`,
    mark,
    clear,
  });
}
