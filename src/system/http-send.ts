/**
 * One JSON request to an outside service (a chat webhook, Grafana), bounded in time, that never
 * throws: what the caller gets is the answer or why there is none. Outputs of a run use it so a
 * service that is down or slow is logged and never changes the run.
 */

export type SendAnswer =
  { ok: true; status: number; body: string } | { ok: false; status?: number; body?: string; error: string };

export interface SendRequest {
  method: 'POST' | 'PATCH' | 'PUT';
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Where a request went, for logs: the origin only (a webhook URL's path is its secret). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

export async function sendJson(request: SendRequest): Promise<SendAnswer> {
  const where = `${request.method} ${originOf(request.url)}`;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { 'content-type': 'application/json', ...request.headers },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
    const body = await response.text();
    if (response.ok) return { ok: true, status: response.status, body };
    return {
      ok: false,
      status: response.status,
      body,
      error: `${where}: HTTP ${response.status} ${body.slice(0, 200)}`,
    };
  } catch (error) {
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    return { ok: false, error: `${where}: ${cause || String(error)}` };
  }
}
