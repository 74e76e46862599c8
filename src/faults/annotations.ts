/**
 * The annotations we leave on what we change. They name the run, the fault, the state to
 * restore and an expiry, so anyone (and `chaos recover` on another machine) can undo a run
 * that died without its journal. All are removed by the revert.
 */
import { escapePointer, type JsonPatchOp, type MergePatch } from '../kube/types.js';

export const annotation = {
  run: 'chaos.dev/run',
  fault: 'chaos.dev/fault',
  expires: 'chaos.dev/expires',
  expiresIn: 'chaos.dev/expires-in',
  originalReplicas: 'chaos.dev/original-replicas',
  replicas: 'chaos.dev/replicas',
  originalHpa: 'chaos.dev/original-hpa',
  cordoned: 'chaos.dev/cordoned',
  routes: 'chaos.dev/routes',
  created: 'chaos.dev/created',
} as const;

/** KEDA's documented pause: the ScaledObject holds the workload at this count and stops scaling. */
export const kedaPausedReplicas = 'autoscaling.keda.sh/paused-replicas';

const ours = Object.values(annotation) as string[];

export function isOurAnnotation(key: string): boolean {
  return ours.includes(key);
}

/** Run, fault and expiry: what every annotated object carries. */
export function runAnnotations(
  runId: string,
  faultId: string,
  expiresAt: string,
  nowMs: number,
): Record<string, string> {
  return { [annotation.run]: runId, [annotation.fault]: faultId, ...expiryAnnotations(expiresAt, nowMs) };
}

/**
 * The expiry, twice: `chaos.dev/expires` (the writer's wall clock, for people) and
 * `chaos.dev/expires-in` (whole seconds from this write, a duration: the guard times it from when
 * it first saw the value, by its own clock, so no two clocks are ever compared).
 */
export function expiryAnnotations(expiresAt: string, nowMs: number): Record<string, string> {
  const inMs = Date.parse(expiresAt) - nowMs;
  const expiresIn = Number.isFinite(inMs) ? String(Math.max(0, Math.ceil(inMs / 1000))) : undefined;
  return { [annotation.expires]: expiresAt, ...(expiresIn === undefined ? {} : { [annotation.expiresIn]: expiresIn }) };
}

/**
 * A merge patch removing our annotations. When nothing else is left it removes the whole map,
 * so an object that had no annotations before has none after (equal to what it was).
 */
export function annotationRemovalPatch(current: Record<string, string> | undefined): MergePatch {
  const keys = Object.keys(current ?? {});
  const remaining = keys.filter((key) => !isOurAnnotation(key));
  if (remaining.length === 0) return { metadata: { annotations: null } };
  return { metadata: { annotations: Object.fromEntries(keys.filter(isOurAnnotation).map((key) => [key, null])) } };
}

/** The same as JSON patch ops, for a patch that must also test and change other fields atomically. */
export function annotationRemovalOps(current: Record<string, string> | undefined): JsonPatchOp[] {
  const keys = Object.keys(current ?? {});
  if (keys.length === 0) return [];
  if (keys.every(isOurAnnotation)) return [{ op: 'remove', path: '/metadata/annotations' }];
  return keys
    .filter(isOurAnnotation)
    .map((key) => ({ op: 'remove', path: `/metadata/annotations/${escapePointer(key)}` }));
}

/** `kubectl annotate … chaos.dev/run- …`: the manual way to drop our annotations. */
export function manualAnnotationRemoval(prefix: string, current: Record<string, string> | undefined): string {
  const keys = Object.keys(current ?? {}).filter(isOurAnnotation);
  const list = (keys.length > 0 ? keys : [annotation.run, annotation.fault, annotation.expires])
    .map((key) => `${key}-`)
    .join(' ');
  return `${prefix} ${list}`;
}

export function readNumber(annotations: Record<string, string> | undefined, key: string): number | undefined {
  const text = annotations?.[key];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** The marks every annotated object of a run carries (run, fault, expiry), or undefined when it carries none. */
export function runMarks(
  cluster: string,
  annotations: Record<string, string> | undefined,
): { runId: string; faultId: string; cluster: string; expiresAt: string; expiresInMs?: number } | undefined {
  const runId = annotations?.[annotation.run];
  if (!runId) return undefined;
  const expiresIn = readNumber(annotations, annotation.expiresIn);
  return {
    runId,
    faultId: annotations[annotation.fault] ?? '?',
    cluster,
    expiresAt: annotations[annotation.expires] ?? '',
    ...(expiresIn === undefined ? {} : { expiresInMs: expiresIn * 1000 }),
  };
}
