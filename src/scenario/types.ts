/**
 * The normalized scenario: defaults applied, durations in milliseconds, budgets parsed.
 * This is what plan, run and report consume; the raw file shape lives in schema.ts.
 */
import type { AbortLimit, Budget } from '../budgets/budget.js';

export type { ClusterSelection } from '../faults/fault-schema.js';
export type { Fault, FaultType } from '../faults/registry.js';
import type { Fault } from '../faults/registry.js';

export interface Phase {
  name: string;
  durationMs: number;
  /** Applied at the start of the phase, reverted at its end. */
  faults: Fault[];
}

/** Distributed load: the same script as a k6-operator TestRun (docs/distributed-load.md). */
export interface OperatorRunner {
  kind: 'k6-operator';
  /** Runner Pods; k6-operator gives each an execution segment, so together they make `rate`. */
  parallelism: number;
  /** Cluster the TestRun is created in; undefined = the environment's first. */
  cluster?: string;
  /** Undefined = the environment's app namespace. */
  namespace?: string;
  image?: string;
  serviceAccount?: string;
}

/** How a response tells which cluster served it, when the scenario says so itself. */
type ServedBySource = { kind: 'header'; header: string } | { kind: 'body'; pattern: string };

/** A user's k6 script: where it is and what it produces (read from its source at validation). */
export interface LoadScript {
  /** Absolute path. */
  file: string;
  /** Its custom metrics by kind (Trend → trend, Rate → rate, Counter → counter). */
  metrics: Record<string, 'trend' | 'rate' | 'counter'>;
  tags: Record<string, string[]>;
  /** Its check() names; absent when one is not a literal. */
  checks?: string[];
  /** It declares its own `options.scenarios` (then `load.rate` only sets what delivery expects). */
  ownScenarios?: boolean;
}

interface LoadPlan {
  ratePerSecond: number;
  /** Undefined = the built-in GET of `paths`. */
  script?: LoadScript;
  /** k6 --out values added next to the harness's own stream. */
  outputs: string[];
  servedBy?: ServedBySource;
  paths: string[];
  method: string;
  host?: string;
  timeoutMs: number;
  /** Share (0–1) of planned requests a phase must send per ingress, else it is inconclusive. */
  minDelivered: number;
  /** At most this many VUs per ingress; undefined = twice rate × timeout. */
  maxVUs?: number;
  /** Ingress names; undefined = every ingress of the environment. */
  ingresses?: string[];
  /** Undefined = k6 on this machine. */
  runner?: OperatorRunner;
}

export interface Scenario {
  file: string;
  name: string;
  description: string;
  environment: string;
  load: LoadPlan;
  phases: Phase[];
  windowMs: number;
  recoveredAfterWindows: number;
  budgets: Budget[];
  abortLimits: AbortLimit[];
  expect: 'pass' | 'fail';
  /**
   * A negative control's named budgets ("<phase>: <metric>"), one of which must be breached;
   * empty = any budget of a phase with faults.
   */
  expectFail: string[];
  /** Refuse to start when targeted services differ across clusters. */
  requireParity: boolean;
  /** Refuse to start unless a guard is active in every cluster (non-lab environments). */
  requireGuard: boolean;
}
