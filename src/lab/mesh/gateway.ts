/**
 * A cluster's ingress gateway: a real HTTP reverse proxy on its own loopback address, routing
 * by this cluster's gateway-bound VirtualServices. Who served an answer is told only as a real
 * mesh tells it: the EnvoyFilter's upstream-address header (Proxy), absent on a local reply.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Proxy } from './proxy.js';
import { answerClientError } from '../api/http-io.js';
import { endToEndHeaders } from './upstream.js';
import { hopTrace, logHop } from './access-log.js';

export interface RunningGateway {
  url: string;
  address: AddressInfo;
  /**
   * The listener comes up first (its address goes into the cluster); the proxy joins once the
   * mesh exists, with the gateway Pod's access log (access-log.ts).
   */
  attach(proxy: Proxy, log?: { pod(): string | undefined; append(line: string): void }): void;
  close(): Promise<void>;
}

export function startGateway(cluster: string, host: string, port: number): Promise<RunningGateway> {
  let proxy: Proxy | undefined;
  let log: { pod(): string | undefined; append(line: string): void } | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const authority = req.headers.host ?? `${host}:${port}`;
      const headers = endToEndHeaders(req.headers);
      headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
      headers['x-forwarded-proto'] = 'http';
      const trace = hopTrace(headers.traceparent);
      headers.traceparent = trace.traceparent;
      if (log) {
        const hop = { cluster, pod: log.pod, caller: req.socket.remoteAddress ?? 'unknown', traceId: trace.traceId };
        logHop(req, res, hop, log.append);
      }
      if (!proxy) {
        res.writeHead(503, { 'content-type': 'text/plain', server: 'istio-envoy' });
        res.end('no healthy upstream');
        return;
      }
      proxy
        .handleIngress(
          { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: Buffer.concat(chunks) },
          authority,
        )
        .then((response) => {
          if (res.destroyed) return;
          res.writeHead(response.status, {
            ...response.headers,
            server: 'istio-envoy',
            'content-length': String(response.body.length),
          });
          res.end(response.body);
        })
        .catch(() => {
          if (res.headersSent) return res.destroy();
          res.writeHead(500, { 'content-type': 'text/plain', server: 'istio-envoy' });
          res.end('internal gateway error');
        });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        address,
        url: `http://${address.address}:${address.port}`,
        attach: (next, podLog) => {
          proxy = next;
          log = podLog;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
