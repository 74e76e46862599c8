/**
 * One HTTP attempt from a proxy to an endpoint over real loopback sockets, with the east-west
 * latency of a cross-cluster hop added each way. Bodies are small and buffered, so a retry
 * can resend and a proxy can answer with a complete response.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { pause } from '../../system/sleep.js';

export interface MeshRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface MeshResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type AttemptResult =
  | { kind: 'response'; response: MeshResponse }
  | { kind: 'failure'; reason: 'connect-failure' | 'connect-timeout' | 'reset' | 'timeout'; message: string };

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'host',
]);

export function endToEndHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name)) continue;
    result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

export class UpstreamClient {
  private readonly agent = new Agent({
    keepAlive: true,
    maxSockets: Infinity,
    maxFreeSockets: 1024,
    scheduling: 'lifo',
  });

  /**
   * Sends one attempt. `delayMs` is the one-way network latency (0 inside a cluster);
   * `timeoutMs` bounds the whole attempt, latency included.
   */
  async send(
    target: { ip: string; port: number },
    request: MeshRequest,
    authority: string,
    delayMs: number,
    timeoutMs: number | undefined,
    stop: AbortSignal,
  ): Promise<AttemptResult> {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    stop.addEventListener('abort', abort, { once: true });
    const timer = timeoutMs !== undefined && timeoutMs > 0 ? setTimeout(abort, timeoutMs) : undefined;
    try {
      await pause(delayMs, controller.signal);
      if (controller.signal.aborted) return { kind: 'failure', reason: 'timeout', message: 'upstream request timeout' };
      const result = await this.exchange(target, request, authority, controller.signal);
      if (result.kind === 'response') await pause(delayMs, controller.signal);
      if (controller.signal.aborted) return { kind: 'failure', reason: 'timeout', message: 'upstream request timeout' };
      return result;
    } finally {
      if (timer) clearTimeout(timer);
      stop.removeEventListener('abort', abort);
    }
  }

  private exchange(
    target: { ip: string; port: number },
    request: MeshRequest,
    authority: string,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      const outgoing = httpRequest(
        {
          host: target.ip,
          port: target.port,
          method: request.method,
          path: request.path,
          agent: this.agent,
          headers: { ...request.headers, host: authority, 'content-length': String(request.body.length) },
          signal,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () =>
            settle({
              kind: 'response',
              response: {
                status: incoming.statusCode ?? 502,
                headers: endToEndHeaders(incoming.headers),
                body: Buffer.concat(chunks),
              },
            }),
          );
          incoming.on('error', () =>
            settle({ kind: 'failure', reason: 'reset', message: 'upstream reset after response headers' }),
          );
          incoming.on('aborted', () =>
            settle({ kind: 'failure', reason: 'reset', message: 'upstream reset after response headers' }),
          );
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (signal.aborted) return settle({ kind: 'failure', reason: 'timeout', message: 'upstream request timeout' });
        // A refused connection, or a kept-alive socket the server closed before reading our
        // request: nothing reached the application, so it is a connection failure.
        const refused = error.code === 'ECONNREFUSED' || error.code === 'EADDRNOTAVAIL' || outgoing.reusedSocket;
        settle({
          kind: 'failure',
          reason: refused ? 'connect-failure' : 'reset',
          message: error.code ?? error.message,
        });
      });
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
