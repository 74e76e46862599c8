/** `/healthz` and `/metrics` (Prometheus text) of a guard, on one address. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../errors/errors.js';

export interface GuardHttp {
  url: string;
  close(): Promise<void>;
}

export function parseAddress(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65_535)
    throw new InputError(`--address ${text}: expected host:port`, [], 'e.g. 127.0.0.1:0 (a free port) or 0.0.0.0:8080');
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export async function serveGuardHttp(
  address: string,
  health: () => { ok: boolean; text: string },
  metrics: () => string,
): Promise<GuardHttp> {
  const { host, port } = parseAddress(address);
  const server: Server = createServer((request, response) => {
    const url = (request.url ?? '/').split('?')[0];
    if (url === '/healthz') {
      const state = health();
      response.writeHead(state.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${state.text}\n`);
    } else if (url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(metrics());
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('not found: try /healthz or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address() as AddressInfo;
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${shown}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
