/** Helpers for fault tests: a phase from faults, a session with a journal in a scratch folder, snapshots. */
import path from 'node:path';
import type { FaultTiming } from '../../../src/faults/fault-plugin.js';
import type { ClusterApi } from '../../../src/kube/cluster-api.js';
import { planFault, type PlannedPhase } from '../../../src/run/plan/build-plan.js';
import { createFaultSession, type FaultSession } from '../../../src/run/session/fault-session.js';
import { journalFileName, openJournal, readJournal, type JournalWriter } from '../../../src/run/record/journal.js';
import type { JournalEntry } from '../../../src/run/record/run-events.js';
import type { Fault } from '../../../src/scenario/types.js';
import type { FaultTestServer } from './servers.js';

/** Fast polling, generous bounds: tests assert outcomes, never durations. */
export const testTiming: FaultTiming = { verifyTimeoutMs: 90_000, pollIntervalMs: 200, evictionRetryMs: 500 };

let runCounter = 0;
export function newRunId(): string {
  runCounter += 1;
  return `t${Date.now().toString(36)}${runCounter}`;
}

export function phaseOf(
  server: FaultTestServer,
  runId: string,
  faults: readonly Fault[],
  name = 'fault',
  durationMs = 60_000,
  environment = server.environment,
): PlannedPhase {
  // The run's own planning: clusters, namespaces, Istio config clusters, convergence, protected Pods.
  return { name, startMs: 0, durationMs, faults: faults.map((fault) => planFault(fault, environment, runId)) };
}

export interface TestSession {
  runId: string;
  session: FaultSession;
  journal: JournalWriter;
  journalFile: string;
  entries(): Promise<JournalEntry[]>;
  close(): Promise<void>;
}

export async function openTestSession(
  server: FaultTestServer,
  options: {
    runId?: string;
    apis?: FaultTestServer['apis'];
    timing?: Partial<FaultTiming>;
    /** The harness's wall clock (a skewed one in clock tests). */
    now?: () => number;
    expiryMarginMs?: number;
  } = {},
): Promise<TestSession> {
  const runId = options.runId ?? newRunId();
  const journalFile = path.join(server.dir, 'reports', `run-${runId}`, journalFileName);
  const journal = await openJournal(journalFile);
  const session = createFaultSession({
    runId,
    apis: options.apis ?? server.apis,
    journal,
    timing: { ...testTiming, ...options.timing },
    ...(options.now ? { now: options.now } : {}),
    ...(options.expiryMarginMs === undefined ? {} : { expiryMarginMs: options.expiryMarginMs }),
  });
  return {
    runId,
    session,
    journal,
    journalFile,
    entries: async () => (await readJournal(journalFile)).entries,
    close: () => journal.close(),
  };
}

const serverManaged = new Set(['resourceVersion', 'managedFields', 'generation', 'uid', 'creationTimestamp']);
const serverAnnotations = new Set(['deployment.kubernetes.io/revision']);

/** An object without what the server manages (status, resourceVersion, …): "equal apart from server-managed fields". */
export function userView(object: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(object)) as { metadata?: Record<string, unknown>; status?: unknown };
  delete copy.status;
  if (copy.metadata) {
    for (const key of Object.keys(copy.metadata)) if (serverManaged.has(key)) delete copy.metadata[key];
    const annotations = copy.metadata.annotations as Record<string, string> | undefined;
    if (annotations) {
      for (const key of Object.keys(annotations)) if (serverAnnotations.has(key)) delete annotations[key];
      if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
    }
  }
  return copy;
}

/** Bounded wait for a condition the test needs before it starts (not an assertion on time). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 90_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempt = 0; attempt < Math.ceil(timeoutMs / intervalMs) + 1; attempt += 1) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** Waits until every Deployment of the namespace has all its replicas ready. */
export async function waitSettled(api: ClusterApi, namespace: string): Promise<void> {
  await waitFor(`workloads of ${namespace} ready in ${api.cluster}`, async () => {
    for (const kind of ['Deployment', 'StatefulSet'] as const) {
      for (const workload of await api.listWorkloads(kind, namespace)) {
        if ((workload.status?.readyReplicas ?? 0) < (workload.spec?.replicas ?? 1)) return undefined;
      }
    }
    return true;
  });
}
