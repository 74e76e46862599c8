/**
 * Raw HTTPS to a Kubernetes API endpoint on loopback: for readiness probes, CRD installation and
 * the contract cases that must see exact status codes, content types and `Status` bodies.
 */
import https from 'node:https';

export interface ApiEndpoint {
  /** `https://127.0.0.1:<port>` */
  server: string;
  token: string;
  /** PEM of the CA that signed the serving certificate. */
  caPem: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RawRequest {
  method: string;
  path: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
}

export async function rawRequest(endpoint: ApiEndpoint, request: RawRequest): Promise<RawResponse> {
  const url = new URL(request.path, endpoint.server);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`refusing to send a test request to ${url.hostname}: loopback only`);
  }
  const payload =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body);
  const headers: Record<string, string> = {
    Authorization: `Bearer ${endpoint.token}`,
    Accept: request.accept ?? 'application/json',
  };
  if (payload !== undefined) {
    headers['Content-Type'] = request.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: request.method, headers, ca: endpoint.caPem, timeout: request.timeoutMs ?? 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${request.method} ${url.pathname} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Parses a JSON body, with the raw text in the error when it is not JSON. */
export function jsonOf<T>(response: RawResponse): T {
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new Error(`expected a JSON body, got HTTP ${response.status}: ${response.text.slice(0, 300)}`);
  }
}

/**
 * Polls `check` until it returns a value other than undefined; bounded in attempts and time.
 * The last error or state is part of the failure message.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string },
): Promise<T> {
  const interval = options.intervalMs ?? 250;
  const deadline = Date.now() + options.timeoutMs;
  const maxAttempts = Math.ceil(options.timeoutMs / interval) + 1;
  let lastProblem = '';
  for (let attempt = 0; attempt < maxAttempts && Date.now() <= deadline; attempt += 1) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastProblem = '';
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  const detail = [lastProblem, options.describe?.()].filter(Boolean).join('; ');
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${detail ? `: ${detail}` : ''}`);
}
