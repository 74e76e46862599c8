/**
 * A Pod's process: a real HTTP listener on the Pod's loopback address that serves its
 * service's behaviour — a capacity of `concurrency` requests at once, a bounded queue behind
 * it (then 503), a service time drawn from the topology's distribution, and calls to other
 * services through the Pod's own sidecar. Draining refuses new connections, finishes the rest.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleLatency, type Random } from '../random.js';
import type { PodProcess } from '../controllers/kubelet.js';
import { answerClientError } from '../api/http-io.js';
import { hopTrace, logHop, traceIdOf } from './access-log.js';
import { callerHeader, type Proxy } from './proxy.js';
import { serviceKeyOf } from './route-match.js';
import { pause } from '../../system/sleep.js';
import {
  findRoute,
  serveRoute,
  type CallResult,
  type CallSpec,
  type PodApp,
  type PodReplies,
  type ServiceBehaviour,
} from './pod-app.js';

export type { ServiceBehaviour } from './pod-app.js';

export interface PodServerOptions {
  ip: string;
  port: number;
  namespace: string;
  pod: string;
  service: string;
  behaviour: ServiceBehaviour;
  sidecar: Proxy;
  random: Random;
  stop: AbortSignal;
  /** The Pod's current annotations (read per request, so a test can make one Pod misbehave). */
  annotations: () => Record<string, string> | undefined;
  /** The Pod's access log (`kubectl logs`): one line per answered request. */
  log?: (line: string) => void;
  /** The Pod's cluster, for its access log. */
  cluster?: string;
}

/**
 * A lab-only knob: a Pod annotated `lab.chaos.dev/fail-status: "503"` answers that status
 * (to `lab.chaos.dev/fail-percent` of requests, default all) while staying Ready — a bad Pod
 * that only outlier detection can take out of rotation.
 */
const failStatusAnnotation = 'lab.chaos.dev/fail-status';
const failPercentAnnotation = 'lab.chaos.dev/fail-percent';

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * A Pod's capacity: `concurrency` requests at once and a bounded queue behind them; a request
 * that finds both full is refused (the caller answers 503). `idle()` resolves when nothing runs.
 */
class Capacity {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly behaviour: ServiceBehaviour) {}

  get busy(): boolean {
    return this.active > 0 || this.queue.length > 0;
  }

  /** false: capacity and queue are full. */
  async enter(): Promise<boolean> {
    if (this.active < this.behaviour.concurrency) {
      this.active += 1;
      return true;
    }
    if (this.queue.length >= this.behaviour.queue) return false;
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return true;
  }

  /** The next queued request takes over this slot. */
  leave(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active -= 1;
    if (!this.busy) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }
}

/** The Pod's access log (`kubectl logs`): one line per hop when the response closes (access-log.ts). */
function logAccess(req: IncomingMessage, res: ServerResponse, options: PodServerOptions): void {
  const caller = req.headers[callerHeader];
  const hop = {
    cluster: options.cluster ?? '',
    pod: () => options.pod,
    caller: typeof caller === 'string' ? caller : (req.socket.remoteAddress ?? 'unknown'),
    traceId: traceIdOf(req.headers.traceparent),
  };
  logHop(req, res, hop, options.log!);
}

/** The lab-only misbehaviour knob, read from the Pod's annotations per request. */
function failsOnPurpose(options: PodServerOptions): number | undefined {
  const annotations = options.annotations();
  const failStatus = Number(annotations?.[failStatusAnnotation] ?? 'NaN');
  const valid = Number.isInteger(failStatus) && failStatus >= 200 && failStatus <= 599;
  return valid && options.random.percent(Number(annotations?.[failPercentAnnotation] ?? '100'))
    ? failStatus
    : undefined;
}

/** Answers that write nothing on a destroyed socket and close connections while draining. */
function podReplies(draining: () => boolean): PodReplies {
  const headers = (extra: Record<string, string>): Record<string, string> => ({
    'content-type': 'application/json',
    ...(draining() ? { connection: 'close' } : {}),
    ...extra,
  });
  const write = (res: ServerResponse, status: number, extra: Record<string, string>, body: string): void => {
    if (res.destroyed) return;
    res.writeHead(status, headers(extra));
    res.end(body);
  };
  return {
    json: (res, status, body) => write(res, status, {}, JSON.stringify(body)),
    redirect: (res, location, cookie) =>
      write(
        res,
        302,
        { 'content-type': 'text/html', location, ...(cookie ? { 'set-cookie': cookie } : {}) },
        `<a href="${location}">redirect</a>`,
      ),
    html: (res, body) => write(res, 200, { 'content-type': 'text/html; charset=utf-8' }, body),
  };
}

function podApp(options: PodServerOptions, replies: PodReplies): PodApp {
  return {
    service: options.service,
    replies,
    callOut: async (call: CallSpec, req: IncomingMessage): Promise<CallResult> => {
      const destination = serviceKeyOf(call.service, options.namespace) ?? `${options.namespace}/${call.service}`;
      const forwarded: Record<string, string> = {};
      const requestId = req.headers['x-request-id'];
      if (typeof requestId === 'string') forwarded['x-request-id'] = requestId;
      // An instrumented app passes the trace on, its own span as the parent.
      forwarded.traceparent = hopTrace(req.headers.traceparent).traceparent;
      const response = await options.sidecar.call(destination, {
        method: call.method ?? 'GET',
        path: call.path,
        headers: forwarded,
        body: Buffer.alloc(0),
      });
      return { call, response };
    },
    newToken: () => `lab.${options.pod}.${options.random.next().toString(36).slice(2)}`,
  };
}

export async function startPodServer(options: PodServerOptions): Promise<PodProcess> {
  const { behaviour, random } = options;
  let draining = false;
  const capacity = new Capacity(behaviour);
  const replies = podReplies(() => draining);
  const app = podApp(options, replies);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = findRoute(behaviour, req.url ?? '/', req.method ?? 'GET');
    if (!route) return replies.json(res, 404, { error: `no route for ${req.url ?? '/'}` });
    const failStatus = failsOnPurpose(options);
    if (failStatus !== undefined)
      return replies.json(res, failStatus, { error: `failing on purpose (${failStatusAnnotation})` });
    if (!(await capacity.enter())) return replies.json(res, 503, { error: 'overloaded: capacity and queue are full' });
    try {
      await pause(sampleLatency(behaviour.serviceTime, random), options.stop);
      await serveRoute(app, req, res, route);
    } finally {
      capacity.leave();
    }
  };

  const server = createServer((req, res) => {
    if (options.log) logAccess(req, res, options);
    req.resume();
    req.on('end', () => {
      handle(req, res).catch(() => {
        if (!res.headersSent) replies.json(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
  });
  server.on('clientError', answerClientError);
  let address: AddressInfo;
  try {
    address = await listen(server, options.port, options.ip);
  } catch {
    // Address taken (another lab, or no 127.x aliases on this OS): let the OS pick a port.
    address = await listen(server, 0, options.ip).catch(() => listen(server, 0, '127.0.0.1'));
  }

  const kill = (): void => {
    server.close();
    server.closeAllConnections();
  };
  return {
    ip: address.address,
    port: address.port,
    drain: async (graceMs) => {
      draining = true;
      server.close();
      server.closeIdleConnections();
      if (capacity.busy) await Promise.race([capacity.idle(), pause(graceMs, options.stop)]);
      kill();
    },
    kill,
  };
}
