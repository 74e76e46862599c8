/**
 * What the command line says about connecting, over what the environment file says:
 * `--kubeconfig <file[:file…]>` for every cluster, `--context CLUSTER=CONTEXT` per cluster
 * (as kubectl's flags win over its kubeconfig). Also read from CHAOS_KUBECONFIG and
 * CHAOS_CONTEXT ("central=ctx-a,west=ctx-b") for CronJobs and CI. CHAOS_KUBE_REQUEST_TIMEOUT
 * bounds each API request (as kubectl's --request-timeout).
 */
import { InputError } from '../errors/errors.js';
import { parseDuration } from '../input/units.js';
import { loadKubeConfig } from '../kube/kube-config.js';
import { connectionOf } from './connect.js';
import type { Environment } from './types.js';

export interface ConnectionOverrides {
  kubeconfig?: string;
  /** Cluster name → context. */
  contexts?: Record<string, string>;
}

/** `CLUSTER=CONTEXT` values → a map; a malformed one is an input error that names it. */
export function parseContextOverrides(values: readonly string[]): Record<string, string> {
  const contexts: Record<string, string> = {};
  for (const value of values.flatMap((v) => v.split(',')).filter((v) => v.trim() !== '')) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1)
      throw new InputError(
        `--context "${value}": expected CLUSTER=CONTEXT, e.g. --context central=gke_my-project_us-central1_gke-central`,
      );
    contexts[value.slice(0, eq).trim()] = value.slice(eq + 1).trim();
  }
  return contexts;
}

export function overridesFromEnv(env: NodeJS.ProcessEnv): ConnectionOverrides {
  return {
    kubeconfig: env.CHAOS_KUBECONFIG || undefined,
    contexts: env.CHAOS_CONTEXT ? parseContextOverrides([env.CHAOS_CONTEXT]) : undefined,
  };
}

const requestTimeoutEnv = 'CHAOS_KUBE_REQUEST_TIMEOUT';

/**
 * `CHAOS_KUBE_REQUEST_TIMEOUT=5s`: how long one API request may go unanswered before it counts as
 * failed (and is retried within the retry bound). Undefined when unset: the client's default.
 */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env[requestTimeoutEnv];
  if (text === undefined || text === '') return undefined;
  const parsed = parseDuration(text);
  if (!parsed.ok || parsed.value <= 0)
    throw new InputError(
      `${requestTimeoutEnv}=${text}: expected a duration above zero such as 5s, 500ms or 1m (units ms, s, m, h)`,
    );
  return parsed.value;
}

export function applyConnectionOverrides(environment: Environment, overrides: ConnectionOverrides): Environment {
  if (environment.builtIn || (!overrides.kubeconfig && !overrides.contexts)) return environment;
  const names = environment.clusters.map((cluster) => cluster.name);
  const unknown = Object.keys(overrides.contexts ?? {}).filter((name) => !names.includes(name));
  if (unknown.length > 0)
    throw new InputError(
      `--context ${unknown.map((name) => `${name}=${overrides.contexts![name]}`).join(' --context ')}: environment "${environment.name}" (${environment.file}) has no cluster ${unknown.map((name) => `"${name}"`).join(', ')}; its clusters: ${names.join(', ')}`,
      [],
      `name one of its clusters, e.g. --context ${names[0] ?? 'central'}=<context> (also read from CHAOS_CONTEXT)`,
    );
  return {
    ...environment,
    clusters: environment.clusters.map((cluster) => ({
      ...cluster,
      ...(overrides.kubeconfig ? { kubeconfig: overrides.kubeconfig, inCluster: false } : {}),
      ...(overrides.contexts?.[cluster.name] ? { context: overrides.contexts[cluster.name]! } : {}),
    })),
  };
}

/**
 * `chaos validate --env`: every cluster's context exists in its kubeconfig (read as kubectl
 * reads it). Contacts nothing. Every missing context is named at once.
 */
export function checkContexts(environment: Environment, cwd: string): void {
  if (environment.builtIn) return;
  const problems: string[] = [];
  for (const cluster of environment.clusters) {
    try {
      loadKubeConfig(connectionOf(environment, cluster.name), cwd);
    } catch (error) {
      problems.push(
        error instanceof InputError ? `${error.message}${error.hint ? ` (${error.hint})` : ''}` : String(error),
      );
    }
  }
  if (problems.length > 0)
    throw new InputError(
      `environment "${environment.name}": ${problems.length} of ${environment.clusters.length} cluster(s) cannot connect:\n  ${problems.join('\n  ')}`,
    );
}
