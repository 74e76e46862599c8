/**
 * One request, check, metric value (or a count of dropped iterations) as the load runner reports
 * it; what budgets are judged on.
 */
export type LoadSample =
  | {
      kind: 'request';
      timeMs: number;
      ingress: string;
      /** The cluster that answered; "not measured" when no served-by mechanism is configured. */
      servedBy: string;
      status: number;
      path: string;
      failed: boolean;
      durationMs: number;
      /**
       * When the script sent it (Date.now() before the call); for older streams without it,
       * end - duration. A request belongs to the phase it was sent in.
       */
      sentMs: number;
      /** False when no server was reached (connection refused, dial timeout, DNS): not a latency. */
      reached: boolean;
      /** k6's request name tag (a user script's `tags: {name}`); the path when the script gives none. */
      name?: string;
      method?: string;
      /** Other tags a user script set on the request. */
      tags?: Record<string, string>;
      /** The W3C trace id the request carried in its `traceparent` (chaos/k6 `traced`). */
      traceId?: string;
    }
  /** One k6 check() condition of a user script. */
  | { kind: 'check'; timeMs: number; ingress: string; check: string; passed: boolean; tags?: Record<string, string> }
  /** One value of a user script's own metric (Trend, Rate, Counter). */
  | { kind: 'metric'; timeMs: number; ingress: string; metric: string; value: number; tags?: Record<string, string> }
  | { kind: 'dropped'; timeMs: number; ingress: string; count: number }
  /** An iteration the load started (the script marks each at its start): what the plan counts. */
  | { kind: 'iteration'; timeMs: number; ingress: string; count: number };

/** What the report says when nothing tells which cluster served a request. */
export const servedByNotMeasured = 'not measured';
