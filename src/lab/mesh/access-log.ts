/**
 * Traces through the lab's mesh, as a mesh with tracing on and instrumented apps carry them:
 * each hop (the ingress gateway, then every Pod a request reaches) keeps the W3C `traceparent`'s
 * trace id, passes on a `traceparent` with its own span as the parent, and writes one access-log
 * line — what `kubectl logs` returns for the gateway's Pod and for each Pod:
 *
 *   2026-12-07T18:00:00.123Z GET /home 503 12ms caller=10.0.0.1 cluster=central pod=frontend-…-x trace_id=4bf9…
 *
 * (`trace_id=-` for a request without one). A request that arrives without a valid
 * `traceparent` starts a trace at the gateway, as Envoy does.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod } from '../api/object-types.js';
import type { PodLogs } from '../api/pod-logs.js';
import { keys } from '../api/resource-types.js';
import type { ObjectStore } from '../api/store.js';

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace id of a valid W3C traceparent (version ff and all-zero ids are invalid). */
export function traceIdOf(value: string | string[] | undefined): string | undefined {
  const match = typeof value === 'string' ? traceparentPattern.exec(value.trim().toLowerCase()) : null;
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]!) || /^0+$/.test(match[3]!)) return undefined;
  return match[2];
}

/**
 * This hop's trace: the incoming trace id (or a new one) and the `traceparent` to send on, whose
 * parent is this hop's own new span; the sampled flag is kept (a new trace is sampled).
 */
export function hopTrace(incoming: string | string[] | undefined): { traceId: string; traceparent: string } {
  const traceId = traceIdOf(incoming) ?? randomBytes(16).toString('hex');
  const flags = traceIdOf(incoming) ? (incoming as string).trim().slice(-2) : '01';
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}` };
}

/** One access-log line of a hop. */
function hopLogLine(entry: {
  time: Date;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  caller: string;
  cluster: string;
  pod: string;
  traceId?: string;
}): string {
  return `${entry.time.toISOString()} ${entry.method} ${entry.path} ${entry.status} ${Math.round(entry.durationMs)}ms caller=${entry.caller} cluster=${entry.cluster} pod=${entry.pod} trace_id=${entry.traceId ?? '-'}`;
}

/**
 * Where the ingress gateway's lines go: the log of its Pod (the running Pod labelled
 * `istio: ingressgateway` in the ingress namespace, first by name); none while it has no Pod.
 */
export function gatewayPodLog(
  store: ObjectStore,
  logs: PodLogs,
  namespace: string,
): { pod(): string | undefined; append(line: string): void } {
  const pod = () =>
    store
      .peekAll<Pod>(keys.pods, namespace)
      .filter((p) => p.metadata.labels?.istio === 'ingressgateway' && p.status?.phase === 'Running')
      .map((p) => p.metadata.name)
      .sort()[0];
  return {
    pod,
    append: (line) => {
      const name = pod();
      if (name) logs.append(namespace, name, line);
    },
  };
}

/** Writes the hop's line when its response closes (status 0: nothing was answered). */
export function logHop(
  req: IncomingMessage,
  res: ServerResponse,
  hop: { cluster: string; pod: () => string | undefined; caller: string; traceId?: string },
  append: (line: string) => void,
): void {
  const started = performance.now();
  const time = new Date();
  res.once('close', () => {
    const pod = hop.pod();
    if (pod === undefined) return;
    append(
      hopLogLine({
        time,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status: res.headersSent ? res.statusCode : 0,
        durationMs: performance.now() - started,
        caller: hop.caller,
        cluster: hop.cluster,
        pod,
        ...(hop.traceId ? { traceId: hop.traceId } : {}),
      }),
    );
  });
}
