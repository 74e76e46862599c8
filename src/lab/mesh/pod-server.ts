/**
 * A Pod's process: a real HTTP listener on the Pod's loopback address that serves its
 * service's behaviour — a capacity of `concurrency` requests at once, a bounded queue behind
 * it (then 503), a service time drawn from the topology's distribution, and calls to other
 * services through the Pod's own sidecar. Draining refuses new connections, finishes the rest.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleLatency, type LatencyDistribution, type Random } from '../random.js';
import type { PodProcess } from '../controllers/kubelet.js';
import { answerClientError } from '../api/http-io.js';
import { accessLogLine } from '../api/pod-logs.js';
import { callerHeader, type Proxy } from './proxy.js';
import { serviceKeyOf } from './route-match.js';
import type { MeshResponse } from './upstream.js';
import { pause } from '../../system/sleep.js';

export interface CallSpec {
  service: string;
  path: string;
  method?: string;
}

export interface RouteBehaviour {
  exact?: string;
  prefix?: string;
  /** Only requests with this method take the route (undefined: any). */
  method?: string;
  calls: CallSpec[];
  parallel: boolean;
  /**
   * A web frontend's session, as Bank of Anthos's: without a `token` cookie the route answers
   * a redirect to /login (`redirect`), a 401 (`reject`), or the login page with no backend call
   * (`login-page`); with one, the route runs (`home` pages for a token holder at /login: `to-home`).
   */
  noToken?: 'redirect' | 'reject' | 'login-page';
  withToken?: 'to-home';
  /** Render an HTML page; a failed call leaves its section empty and the page is still 200. */
  page?: 'home' | 'login';
  /** After the calls, redirect here (302); `failed` is where a failed call sends the user. */
  redirect?: { to: string; failed: string; setToken?: boolean; clearToken?: boolean };
}

export interface ServiceBehaviour {
  serviceTime: LatencyDistribution;
  concurrency: number;
  queue: number;
  /** Empty: every path is served with no calls. Otherwise an unmatched path answers 404. */
  routes: RouteBehaviour[];
}

export interface PodServerOptions {
  ip: string;
  port: number;
  cluster: string;
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
}

/**
 * A lab-only knob: a Pod annotated `lab.chaos.dev/fail-status: "503"` answers that status
 * (to `lab.chaos.dev/fail-percent` of requests, default all) while staying Ready — a bad Pod
 * that only outlier detection can take out of rotation.
 */
export const failStatusAnnotation = 'lab.chaos.dev/fail-status';
export const failPercentAnnotation = 'lab.chaos.dev/fail-percent';

function findRoute(behaviour: ServiceBehaviour, path: string, method: string): RouteBehaviour | undefined {
  const bare = path.split('?')[0] ?? '/';
  if (behaviour.routes.length === 0) return { calls: [], parallel: false };
  return behaviour.routes.find(
    (route) =>
      (route.method === undefined || route.method === method) &&
      (route.exact !== undefined ? bare === route.exact : bare.startsWith(route.prefix ?? '/')),
  );
}

function tokenOf(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? '';
  return /(?:^|;\s*)token=([^;]+)/.exec(cookie)?.[1];
}

type CallResult = { call: CallSpec; response: MeshResponse };

/** The markers Bank of Anthos's index.html has: the balance in `span.h1`, one row per transaction. */
function homePage(results: CallResult[]): string {
  const ok = (service: string) => results.some((r) => r.call.service === service && r.response.status < 400);
  const balance = ok('balancereader') ? '$1,234.56' : '$---';
  const rows = ok('transactionhistory')
    ? ['-$12.00', '+$250.00', '-$7.50']
        .map((amount) => `<tr><td class="transaction-amount">${amount}</td></tr>`)
        .join('')
    : '';
  const history = rows
    ? `<table class="table"><tbody class="list">${rows}</tbody></table>`
    : '<h4>No Transactions Found</h4>';
  const contacts = ok('contacts') ? '<option value="1055757655">Alice - 1055757655</option>' : '';
  return `<!doctype html><html><body><b>Current Balance</b><span class="h1 mb-0">${balance}</span>${history}<select id="payment-accounts">${contacts}</select></body></html>`;
}

const loginPage =
  '<!doctype html><html><body><form id="login-form" method="POST" action="/login"><input name="username"><input name="password" type="password"></form></body></html>';

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startPodServer(options: PodServerOptions): Promise<PodProcess> {
  const { behaviour, random } = options;
  let active = 0;
  let draining = false;
  const queue: (() => void)[] = [];
  const idleWaiters: (() => void)[] = [];

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'content-type': 'application/json',
    ...(draining ? { connection: 'close' } : {}),
    ...extra,
  });
  const reply = (res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void => {
    if (res.destroyed) return;
    res.writeHead(status, headers(extra));
    res.end(JSON.stringify(body));
  };
  const settle = (): void => {
    if (active === 0 && queue.length === 0) for (const wake of idleWaiters.splice(0)) wake();
  };

  const redirect = (res: ServerResponse, location: string, cookie?: string): void => {
    if (res.destroyed) return;
    res.writeHead(302, headers({ 'content-type': 'text/html', location, ...(cookie ? { 'set-cookie': cookie } : {}) }));
    res.end(`<a href="${location}">redirect</a>`);
  };
  const html = (res: ServerResponse, body: string): void => {
    if (res.destroyed) return;
    res.writeHead(200, headers({ 'content-type': 'text/html; charset=utf-8' }));
    res.end(body);
  };

  const callOut = async (call: CallSpec, req: IncomingMessage): Promise<CallResult> => {
    const destination = serviceKeyOf(call.service, options.namespace) ?? `${options.namespace}/${call.service}`;
    const forwarded: Record<string, string> = {};
    const requestId = req.headers['x-request-id'];
    if (typeof requestId === 'string') forwarded['x-request-id'] = requestId;
    const response = await options.sidecar.call(destination, {
      method: call.method ?? 'GET',
      path: call.path,
      headers: forwarded,
      body: Buffer.alloc(0),
    });
    return { call, response };
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, route: RouteBehaviour): Promise<void> => {
    await pause(sampleLatency(behaviour.serviceTime, random), options.stop);
    const token = tokenOf(req);
    if (!token && route.noToken === 'redirect') return redirect(res, '/login');
    if (!token && route.noToken === 'reject') return reply(res, 401, { error: 'not authenticated' });
    if (!token && route.noToken === 'login-page') return html(res, loginPage);
    if (token && route.withToken === 'to-home') return redirect(res, '/home');
    if (route.page === 'login') return html(res, loginPage);
    const results = route.parallel ? await Promise.all(route.calls.map((call) => callOut(call, req))) : [];
    if (!route.parallel) for (const call of route.calls) results.push(await callOut(call, req));
    const failed = results.find((result) => result.response.status >= 400);
    // A web page: a failed backend leaves its section empty, the page still answers 200.
    if (route.page === 'home') return html(res, homePage(results));
    if (route.redirect) {
      const { to, failed: failedTo, setToken, clearToken } = route.redirect;
      if (failed) return redirect(res, failedTo);
      const cookie = setToken
        ? `token=lab.${options.pod}.${random.next().toString(36).slice(2)}; Max-Age=3600; Path=/`
        : clearToken
          ? 'token=; Max-Age=0; Path=/'
          : undefined;
      return redirect(res, to, cookie);
    }
    if (failed) {
      reply(res, 500, {
        error: `call to ${failed.call.service}${failed.call.path} failed with ${failed.response.status}: ${failed.response.body.toString('utf8').slice(0, 200)}`,
      });
      return;
    }
    reply(res, 200, {
      service: options.service,
      pod: options.pod,
      cluster: options.cluster,
      path: req.url ?? '/',
      calls: results.map((result) => ({
        service: result.call.service,
        status: result.response.status,
      })),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = findRoute(behaviour, req.url ?? '/', req.method ?? 'GET');
    if (!route) return reply(res, 404, { error: `no route for ${req.url ?? '/'}` });
    const annotations = options.annotations();
    const failStatus = Number(annotations?.[failStatusAnnotation] ?? 'NaN');
    if (
      Number.isInteger(failStatus) &&
      failStatus >= 200 &&
      failStatus <= 599 &&
      random.percent(Number(annotations?.[failPercentAnnotation] ?? '100'))
    ) {
      return reply(res, failStatus, { error: `failing on purpose (${failStatusAnnotation})` });
    }
    if (active >= behaviour.concurrency) {
      if (queue.length >= behaviour.queue) return reply(res, 503, { error: 'overloaded: capacity and queue are full' });
      await new Promise<void>((resolve) => queue.push(resolve));
    } else {
      active += 1;
    }
    try {
      await serve(req, res, route);
    } finally {
      // The next queued request takes over this slot.
      const next = queue.shift();
      if (next) next();
      else active -= 1;
      settle();
    }
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const time = new Date();
    if (options.log) {
      const log = options.log;
      res.once('close', () => {
        const caller = req.headers[callerHeader];
        log(
          accessLogLine({
            time,
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            status: res.headersSent ? res.statusCode : 0,
            durationMs: performance.now() - started,
            caller: typeof caller === 'string' ? caller : (req.socket.remoteAddress ?? 'unknown'),
          }),
        );
      });
    }
    req.resume();
    req.on('end', () => {
      handle(req, res).catch(() => {
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
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
      if (active > 0 || queue.length > 0) {
        await Promise.race([new Promise<void>((resolve) => idleWaiters.push(resolve)), pause(graceMs, options.stop)]);
      }
      kill();
    },
    kill,
  };
}
