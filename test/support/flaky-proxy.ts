/**
 * A fault-injecting HTTPS proxy in front of a Kubernetes API server, on loopback only: it
 * forwards every request, except those a rule picks, which it answers itself with 500 or 429
 * and a real `Status` body (429 with Retry-After). Rules can be swapped while it runs, so a test
 * can make apply and revert meet different failures. Its kubeconfig carries its own CA.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCertificates } from '../../src/lab/certs.js';
import { renderKubeconfig } from './real-cluster.js';

export interface FailureRule {
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

export interface FlakyProxy {
  url: string;
  caPem: string;
  kubeconfigYaml(context: string, token: string): string;
  setRules(rules: readonly FailureRule[]): void;
  /** Injected failures so far, as `METHOD path → status`. */
  injected(): string[];
  /** Requests forwarded or answered so far. */
  requests(): number;
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

  const server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    requests += 1;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    for (const state of states) {
      if (!matches(state.rule, method, path)) continue;
      if (state.rule.limit !== undefined && state.failed >= state.rule.limit) continue;
      state.seen += 1;
      if (state.seen % state.rule.every !== 0) continue;
      state.failed += 1;
      injected.push(`${method} ${path} → ${state.rule.status}`);
      // Drain the body first, as a real server would read it before answering.
      req.resume();
      req.on('end', () => answer(res, state.rule.status));
      return;
    }
    forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
