/**
 * The metric families of a run (docs/metrics.md lists the same, with their labels). A counter's
 * samples are named `<name>_total`, as OpenMetrics and Prometheus name them; a family with a unit
 * ends in it.
 */

export interface MetricFamily {
  name: string;
  type: 'gauge' | 'counter';
  unit?: 'seconds' | 'ratio';
  help: string;
}

const gauge = (name: string, help: string, unit?: MetricFamily['unit']): MetricFamily => ({
  name,
  type: 'gauge',
  help,
  ...(unit ? { unit } : {}),
});

export const metricFamilies = {
  windowRequests: gauge('chaos_window_requests', 'Requests that ended in the window, on the ingress.'),
  windowErrors: gauge('chaos_window_errors', 'Failed requests (status >= 400 or no answer) that ended in the window.'),
  windowErrorRatio: gauge('chaos_window_error_ratio', 'Failed / all requests of the window.', 'ratio'),
  windowLatency: gauge(
    'chaos_window_latency_seconds',
    "Request duration percentile of the window (k6's definition), by quantile.",
    'seconds',
  ),
  windowServedRatio: gauge(
    'chaos_window_served_ratio',
    "Share of the window's requests answered by the cluster served_by.",
    'ratio',
  ),
  requestsTotal: {
    name: 'chaos_requests',
    type: 'counter',
    help: 'Requests that ended on the ingress during the phase, added up window by window.',
  } satisfies MetricFamily,
  requestErrorsTotal: {
    name: 'chaos_request_errors',
    type: 'counter',
    help: 'Failed requests on the ingress during the phase, added up window by window.',
  } satisfies MetricFamily,
  phaseRequests: gauge('chaos_phase_requests', 'Requests sent in the judged phase (what its budgets judge).'),
  phaseErrors: gauge('chaos_phase_errors', 'Failed requests sent in the judged phase.'),
  phaseErrorRatio: gauge('chaos_phase_error_ratio', "The phase's failed / all requests, as in result.json.", 'ratio'),
  phaseLatency: gauge(
    'chaos_phase_latency_seconds',
    "The phase's request duration percentile, by quantile.",
    'seconds',
  ),
  budgetPass: gauge('chaos_budget_pass', 'Whether the budget held in the phase on the ingress (1) or not (0).'),
  budgetValue: gauge('chaos_budget_value', "What the budget measured, in the budget's own unit (ms, ratio, count)."),
  budgetLimit: gauge('chaos_budget_limit', 'The number the measured value was compared with.'),
  timeToImpact: gauge(
    'chaos_time_to_impact_seconds',
    "Fault converged until the first request out of the baseline's behaviour.",
    'seconds',
  ),
  timeToRecover: gauge(
    'chaos_time_to_recover_seconds',
    'Revert converged until the first request of a stretch back within the baseline.',
    'seconds',
  ),
  impactDuration: gauge(
    'chaos_impact_duration_seconds',
    "The impact's first out-of-line request until the first request of recovery.",
    'seconds',
  ),
  timingInfo: gauge('chaos_timing_info', 'What time to impact and to recover are (measured, not-impacted, …); 1.'),
  runOutcome: gauge('chaos_run_outcome', "The run's outcome (passed, failed, aborted, …); 1."),
  runExitCode: gauge('chaos_run_exit_code', "The run's exit code."),
  runBudgetsHeld: gauge('chaos_run_budgets_held', 'Whether every budget held (1) or not (0).'),
  runStart: gauge('chaos_run_start_timestamp_seconds', 'When the run started, seconds since the epoch.', 'seconds'),
  runEnd: gauge('chaos_run_end_timestamp_seconds', 'When the run ended, seconds since the epoch.', 'seconds'),
} as const;

/** The name a sample of the family carries (`__name__`). */
export function sampleName(family: MetricFamily): string {
  return family.type === 'counter' ? `${family.name}_total` : family.name;
}

/** Families in the order the OpenMetrics file lists them. */
export const familyOrder: readonly MetricFamily[] = Object.values(metricFamilies);
