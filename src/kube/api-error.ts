/**
 * ApiException (and network failures) → one readable error: what we tried, on which cluster
 * and object, and what the server said (its `Status.message`, not client-node's dump of
 * headers). Callers branch on `status`, `reason` and `retryable`, never on message text.
 */
import { AbortError, ApiException, FetchError } from '@kubernetes/client-node';
import { errorText, HarnessError } from '../errors/errors.js';

/** One API call, described for messages: `PATCH deployments.apps bank-of-anthos/frontend (scale)`. */
export interface CallDescription {
  verb: 'GET' | 'LIST' | 'CREATE' | 'PATCH' | 'REPLACE' | 'DELETE' | 'EVICT';
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface CallSite {
  cluster: string;
  context: string;
  call: CallDescription;
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { retryAfterSeconds?: number };
}

export class KubeApiError extends HarnessError {
  /** Tries made before this error was final (set by withRetries): a retried error is not retried again. */
  attempts = 1;

  constructor(
    message: string,
    readonly site: CallSite,
    /** HTTP status; undefined when no answer came (refused, reset, timed out). */
    readonly status: number | undefined,
    /** The Status reason: NotFound, Conflict, TooManyRequests, Invalid, … */
    readonly reason: string | undefined,
    /** Transient: 429, 5xx, no answer. Worth another try after a pause. */
    readonly retryable: boolean,
    /** A JSON patch `test` op failed (422): someone changed the object since we read it. */
    readonly testFailed = false,
    /** The server's Retry-After, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message, hintFor(status, reason));
  }
}

function describeCall(call: CallDescription): string {
  const object = [call.namespace, call.name].filter(Boolean).join('/');
  const sub = call.subresource ? ` (${call.subresource})` : '';
  return `${call.verb} ${call.resource}${object ? ` ${object}` : ''}${sub}`;
}

export function toKubeApiError(error: unknown, site: CallSite, options: { sentTest?: boolean } = {}): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const where = `${describeCall(site.call)} in cluster ${site.cluster} (context ${site.context})`;
  if (error instanceof ApiException) {
    const code = (error as ApiException<unknown>).code;
    const body = parseStatus((error as ApiException<unknown>).body);
    const message =
      body.message ?? (typeof error.body === 'string' && error.body.length < 300 ? error.body : 'no message');
    const reason = body.reason;
    const retryAfterMs = retryAfter(body, (error as ApiException<unknown>).headers);
    const testFailed = code === 422 && options.sentTest === true;
    const retryable = code === 429 || (code >= 500 && code !== 501);
    return new KubeApiError(
      `${where}: ${code}${reason ? ` ${reason}` : ''}: ${message}`,
      site,
      code,
      reason,
      retryable,
      testFailed,
      retryAfterMs,
    );
  }
  if (
    error instanceof AbortError ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
  ) {
    return new KubeApiError(`${where}: no answer in time`, site, undefined, 'Timeout', true);
  }
  if (error instanceof FetchError) {
    const code = (error as FetchError & { code?: string }).code;
    return new KubeApiError(
      `${where}: ${code ?? 'connection failed'}: ${error.message}`,
      site,
      undefined,
      code ?? 'NetworkError',
      true,
    );
  }
  const text = errorText(error);
  return new KubeApiError(`${where}: ${text}`, site, undefined, undefined, false);
}

function parseStatus(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as StatusBody) : {};
    } catch {
      return {};
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusBody) : {};
}

function retryAfter(body: StatusBody, headers: Record<string, string> | undefined): number | undefined {
  const seconds = body.details?.retryAfterSeconds ?? Number(headers?.['retry-after'] ?? NaN);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function hintFor(status: number | undefined, reason: string | undefined): string | undefined {
  if (status === undefined)
    return 'the API server did not answer: check the context, VPN/network, and that the cluster is up';
  if (status === 401)
    return 'the credentials were refused: refresh them (e.g. gcloud container clusters get-credentials)';
  if (status === 403) return 'the credentials lack permission for this call (RBAC)';
  if (reason === 'NotFound') return 'the object or its kind does not exist in that cluster';
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 409 || error.testFailed);
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409 && error.reason === 'AlreadyExists';
}

export function isTooManyRequests(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 429;
}
