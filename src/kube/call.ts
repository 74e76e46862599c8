/**
 * Every API call goes through `invoke`: a per-request timeout, the patch content type set
 * explicitly (client-node 1.4.0 would otherwise pick JSON patch for every PATCH), bounded
 * retries of transient failures, and errors translated into KubeApiError with the call site.
 */
import https from 'node:https';
import {
  Observable,
  PatchStrategy,
  setHeaderOptions,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';
import { toKubeApiError, type CallDescription, type CallSite } from './api-error.js';
import { withRetries, type RetryPolicy } from './retry.js';

type PatchKind = 'json' | 'merge';

interface CallOptions {
  /** Content-Type of a PATCH body. */
  patch?: PatchKind;
  /** The JSON patch carries a `test` op, so a 422 means "changed since read". */
  sentTest?: boolean;
  /** Eviction: a 429 is a PodDisruptionBudget speaking; the caller waits on its own terms. */
  retry429?: boolean;
  /** Single try: the caller retries at a higher level (e.g. re-read and re-decide). */
  once?: boolean;
}

export interface Caller {
  readonly cluster: string;
  readonly context: string;
  readonly retry: RetryPolicy;
  invoke<T>(
    call: CallDescription,
    run: (options: ConfigurationOptions) => Promise<T>,
    options?: CallOptions,
  ): Promise<T>;
}

/**
 * client-node 1.4.0 builds a new https.Agent for every request (fixed in 2.x), so every call
 * pays a TLS handshake. Reusing one keep-alive agent per TLS identity matters for a revert that
 * must finish within about a second, and more so across a WAN to a cloud API server.
 */
function reuseAgent(context: RequestContext, agents: Map<string, https.Agent>): void {
  const agent = context.getAgent();
  if (!agent || agent.constructor !== https.Agent) return;
  const options = (agent as https.Agent).options;
  const text = (value: unknown): string =>
    value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('base64') : String(value);
  const key = [
    options.ca,
    options.cert,
    options.key,
    options.pfx,
    options.passphrase,
    options.rejectUnauthorized,
    options.servername,
  ]
    .map(text)
    .join('|');
  let shared = agents.get(key);
  if (!shared) {
    shared = new https.Agent({ ...options, keepAlive: true, maxSockets: 8 });
    agents.set(key, shared);
  }
  context.setAgent(shared);
}

export function createCaller(cluster: string, context: string, retry: RetryPolicy, requestTimeoutMs: number): Caller {
  const agents = new Map<string, https.Agent>();
  return {
    cluster,
    context,
    retry,
    invoke: async <T>(
      call: CallDescription,
      run: (options: ConfigurationOptions) => Promise<T>,
      options: CallOptions = {},
    ) => {
      const site: CallSite = { cluster, context, call };
      const requestOptions = optionsFor(requestTimeoutMs, options.patch, agents);
      const once = async (): Promise<T> => {
        try {
          return await run(requestOptions);
        } catch (error) {
          throw toKubeApiError(error, site, { sentTest: options.sentTest });
        }
      };
      if (options.once) return once();
      return withRetries(once, retry, options.retry429 ?? true);
    },
  };
}

function optionsFor(
  timeoutMs: number,
  patch: PatchKind | undefined,
  agents: Map<string, https.Agent>,
): ConfigurationOptions {
  const timeout: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      reuseAgent(context, agents);
      // client-node 1.4.0 sets no timeout at all: a hung connection would hang a revert.
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  const base: ConfigurationOptions = { middleware: [timeout], middlewareMergeStrategy: 'append' };
  if (!patch) return base;
  return setHeaderOptions('Content-Type', patch === 'json' ? PatchStrategy.JsonPatch : PatchStrategy.MergePatch, base);
}
