/**
 * A fault-injecting HTTPS proxy in front of a Kubernetes API server, on loopback only: it
 * forwards every request, except those a rule picks, which it answers itself with 500 or 429
 * and a real `Status` body (429 with Retry-After). Rules can be swapped while it runs, so a test
 * can make apply and revert meet different failures. Its kubeconfig carries its own CA.
 *
 * The API can also go away as a whole (`setMode`): `refuse` closes the listener (connections are
 * refused, open ones cut), `hang` listens again but never answers (not even the TLS handshake),
 * `forward` brings it back. And one request can be held (`hold`) until the test lets it go: a
 * deterministic "the call is in flight now" without racing a sleep.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { createCertificates } from '../../src/lab/certs.js';
import { renderKubeconfig } from './real-cluster.js';

interface FailureRule {
  /** HTTP method to match (any when undefined). */
  method?: string;
  /** Substring of the request path to match (any when undefined). */
  path?: string | RegExp;
  status: 500 | 429 | 503;
  /** Fail every `every`-th matching request (1 = all). */
  every: number;
  /** Stop failing after this many injected failures (unbounded when undefined). */
  limit?: number;
}

/** How the proxy meets a connection: forwarded, refused (no listener), accepted and never answered. */
type ProxyMode = 'forward' | 'refuse' | 'hang';

/** A request the proxy holds back: it reaches the API server only when `release` is called. */
export interface HeldRequest {
  method: string;
  path: string;
  /** Resolves when a matching request arrives. */
  arrived: Promise<void>;
  release(): void;
}

export interface FlakyProxy {
  url: string;
  caPem: string;
  kubeconfigYaml(context: string, token: string): string;
  setRules(rules: readonly FailureRule[]): void;
  /** Injected failures so far, as `METHOD path → status`. */
  injected(): string[];
  /** Requests forwarded or answered so far. */
  requests(): number;
  setMode(mode: ProxyMode): Promise<void>;
  /** Hold the next request that matches (method, path substring) until released. */
  hold(method: string, path: string): HeldRequest;
  close(): Promise<void>;
}

interface RuleState {
  rule: FailureRule;
  seen: number;
  failed: number;
}

function matches(rule: FailureRule, method: string, path: string): boolean {
  if (rule.method && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
}

function answer(res: ServerResponse, status: number): void {
  const reason = status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : 'InternalError';
  const message =
    status === 429
      ? 'the server has received too many requests and has asked us to try again later'
      : 'an error on the server ("injected by flaky-proxy") has prevented the request from succeeding';
  const body = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details: status === 429 ? { retryAfterSeconds: 1 } : {},
    code: status,
  };
  res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '1' } : {}) });
  res.end(JSON.stringify(body));
}

export async function startFlakyProxy(upstream: { server: string; caPem: string }): Promise<FlakyProxy> {
  const target = new URL(upstream.server);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    throw new Error(`flaky-proxy forwards to loopback only, not ${target.hostname}`);
  const certs = await createCertificates(['127.0.0.1']);
  let states: RuleState[] = [];
  const injected: string[] = [];
  let requests = 0;
  const agent = new https.Agent({ ca: upstream.caPem, keepAlive: true });

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const upstreamRequest = https.request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`flaky-proxy: upstream error: ${error.message}`);
    });
    req.pipe(upstreamRequest);
  };

  const holds: Hold[] = [];
  const server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    requests += 1;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const hold = holds.find((candidate) => !candidate.taken && candidate.matches(method, path));
    if (hold) {
      hold.taken = true;
      hold.arrive();
      // A client that went away meanwhile (killed) is not answered: its request never lands.
      void hold.released.then(() => (req.socket.destroyed ? undefined : forward(req, res)));
      return;
    }
    const state = states.find((candidate) => shouldFail(candidate, method, path));
    if (!state) return forward(req, res);
    injected.push(`${method} ${path} → ${state.rule.status}`);
    // Drain the body first, as a real server would read it before answering.
    req.resume();
    req.on('end', () => answer(res, state.rule.status));
  });
  const front = await startFront(server);
  const url = `https://127.0.0.1:${front.port}`;
  const caData = Buffer.from(certs.caPem).toString('base64');
  return {
    url,
    caPem: certs.caPem,
    kubeconfigYaml: (context, token) => renderKubeconfig(context, url, caData, token),
    setRules: (rules) => {
      states = rules.map((rule) => ({ rule, seen: 0, failed: 0 }));
    },
    injected: () => [...injected],
    requests: () => requests,
    setMode: (mode) => front.setMode(mode),
    hold: (method, path) => {
      const hold = newHold(method, path);
      holds.push(hold);
      return hold;
    },
    close: async () => {
      for (const hold of holds) hold.release();
      agent.destroy();
      await front.setMode('refuse');
    },
  };
}

function shouldFail(state: RuleState, method: string, path: string): boolean {
  if (!matches(state.rule, method, path)) return false;
  if (state.rule.limit !== undefined && state.failed >= state.rule.limit) return false;
  state.seen += 1;
  if (state.seen % state.rule.every !== 0) return false;
  state.failed += 1;
  return true;
}

interface Hold extends HeldRequest {
  taken: boolean;
  arrive(): void;
  released: Promise<void>;
  matches(method: string, path: string): boolean;
}

function newHold(method: string, path: string): Hold {
  let arrive = (): void => {};
  let release = (): void => {};
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    method,
    path,
    arrived,
    released,
    taken: false,
    arrive: () => arrive(),
    release: () => release(),
    matches: (m, p) => m === method && p.includes(path),
  };
}

/**
 * The listening socket in front of the TLS server: forwards connections to it, or holds them
 * unanswered (hang), or is closed (refuse) — on the same port, so the kubeconfig stays valid.
 */
async function startFront(tls: https.Server): Promise<{ port: number; setMode(mode: ProxyMode): Promise<void> }> {
  let mode: ProxyMode = 'forward';
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (mode !== 'hang') tls.emit('connection', socket);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(port, '127.0.0.1', () => {
        front.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (front.address() as net.AddressInfo).port;
  return {
    port,
    setMode: async (next) => {
      // Open connections are cut on every change: a client meets the new mode on its next call.
      for (const socket of sockets) socket.destroy();
      const was = mode;
      mode = next;
      if (next === 'refuse' && was !== 'refuse') await new Promise<void>((resolve) => front.close(() => resolve()));
      if (next !== 'refuse' && was === 'refuse') await listen(port);
    },
  };
}
