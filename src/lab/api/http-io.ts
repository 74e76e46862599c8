/** Reading request bodies and writing JSON answers, with the real server's size limit. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from './status.js';
import { errorText } from '../../errors/errors.js';

const bodyLimit = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > bodyLimit) {
        reject(errors.tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** For a request Node's parser cannot read: answer 400 and close, as a real server does. */
export function answerClientError(error: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, private',
    ...extraHeaders,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  const apiError = error instanceof ApiError ? error : errors.internal(errorText(error));
  const retryAfter = apiError.details?.retryAfterSeconds;
  sendJson(res, apiError.code, apiError.toStatus(), retryAfter ? { 'retry-after': String(retryAfter) } : {});
}

/** Parses a JSON request body into an object, answering 400 the way the real decoder does. */
export function parseObjectBody(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch (error) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${errorText(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.badRequest("couldn't get version/kind; json parse error: the body is not a JSON object");
  }
  return parsed as Record<string, unknown>;
}
