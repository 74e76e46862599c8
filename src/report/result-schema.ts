/**
 * result.json, format v1, as a zod schema: the one source of its TypeScript type
 * (`RunResult`), of `schema/result.schema.json` and of the check `chaos report` makes before
 * it renders. Field meanings are documented in docs/result.md.
 *
 * Versioning: adding a field keeps `schemaVersion`; removing, renaming or retyping one bumps it.
 */
import { z } from 'zod';
import { deliverySchema, timingSchema, transitionSchema } from './result-timing-schema.js';
import { comparisonSchema, verdictDetail } from './comparison-schema.js';

export const resultSchemaVersion = 1;

const time = z.string().meta({ description: 'UTC time, ISO 8601 with milliseconds' });
const epochMs = z
  .number()
  .meta({ description: 'milliseconds since the epoch, on the machine clock k6 stamps samples with' });
const latency = (what: string) =>
  z
    .number()
    .nullable()
    .meta({ description: `${what} request duration in ms; null when there were no requests` });

/** Counts and latency of a set of requests (a phase × ingress, or a window). */
const statsShape = {
  requests: z.number().int().nonnegative(),
  failures: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'requests k6 counted as failed (status >= 400 or a network error)' }),
  errorRate: z.number().nullable().meta({ description: 'failures / requests; null when there were no requests' }),
  p50: latency('median'),
  p95: latency('95th percentile'),
  p99: latency('99th percentile'),
  max: latency('longest'),
  min: latency('shortest'),
  avg: latency('mean'),
  statusClasses: z
    .partialRecord(z.enum(['2xx', '3xx', '4xx', '5xx', 'error']), z.number().int())
    .meta({ description: 'requests per status class; "error" = no HTTP status (timeout, refused)' }),
  servedBy: z.record(z.string(), z.number().int()).meta({
    description:
      'requests per cluster that answered (the gateway\'s upstream address mapped by EndpointSlices, or the scenario\'s servedBy); "unknown" when the mechanism gave nothing, "not measured" when none is configured',
  }),
  dropped: z.number().int().nonnegative().meta({ description: 'iterations k6 could not start for lack of VUs' }),
  iterations: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .meta({ description: 'iterations the load started (by their start time); absent in results written before it' }),
};

const verdictSchema = z.object({
  phase: z.string(),
  ingress: z.string(),
  budget: z.string().meta({ description: 'the budget as written: "metric{tags}: threshold"' }),
  value: z
    .number()
    .nullable()
    .meta({ description: 'what was measured (ms, a ratio, a count or a rate); null = no samples, which fails' }),
  samples: z.number().int(),
  pass: z.boolean(),
  ...verdictDetail,
});

/** One path's answer to one verdict, in the raw audit. */
const auditedSchema = z.object({
  outcome: verdictDetail.outcome,
  value: z.number().nullable(),
  samples: z.number().int(),
});

const rawAuditSchema = z.object({
  verdicts: z.number().int().meta({ description: 'verdicts compared (every budget × phase × ingress)' }),
  requests: z.object({
    records: z
      .number()
      .int()
      .meta({ description: "requests in the compact record (what the run's verdicts are judged on)" }),
    raw: z.number().int().meta({ description: "requests in k6's own per-request output (k6-samples.json)" }),
  }),
  differing: z
    .array(
      z.object({
        phase: z.string(),
        ingress: z.string(),
        budget: z.string(),
        records: auditedSchema,
        raw: auditedSchema,
      }),
    )
    .meta({ description: 'verdicts whose outcome, value or sample count differ between the two (empty: they agree)' }),
});

const faultTargetSchema = z.object({
  cluster: z.string(),
  context: z.string(),
  namespace: z.string(),
  mutations: z
    .array(z.string())
    .meta({ description: 'what the fault changes in this cluster, in words (as chaos plan prints it)' }),
});

const scenarioAsRunSchema = z
  .object({
    name: z.string(),
    file: z.string(),
    description: z.string(),
    expect: z.enum(['pass', 'fail']),
    environment: z
      .string()
      .meta({ description: "the scenario's default environment (the one used is in `environment`)" }),
    load: z.object({
      ratePerSecond: z.number(),
      paths: z.array(z.string()),
      method: z.string(),
      host: z.string().optional(),
      timeoutMs: z.number(),
      minDelivered: z.number().optional().meta({ description: 'share of planned requests a phase must send' }),
      maxVUs: z.number().int().optional().meta({ description: 'at most this many VUs per ingress' }),
      ingresses: z.array(z.string()).optional(),
      script: z
        .looseObject({ file: z.string() })
        .optional()
        .meta({ description: "the user's k6 script, with the metrics and tags validation read from it" }),
      outputs: z.array(z.string()).optional().meta({ description: "k6's --out values added to the harness's own" }),
      servedBy: z.looseObject({ kind: z.string() }).optional().meta({ description: 'how the serving cluster is read' }),
    }),
    phases: z.array(
      z.object({
        name: z.string(),
        durationMs: z.number().meta({ description: 'as run (after --phase overrides)' }),
        fileDurationMs: z.number().meta({ description: 'as written in the scenario file' }),
        faults: z.array(
          z.object({
            fault: z.looseObject({ id: z.string(), type: z.string() }).meta({
              description: 'the normalized fault: durations in ms, clusters as {kind: all} or {kind: named, names}',
            }),
            targets: z.array(faultTargetSchema),
          }),
        ),
      }),
    ),
    windowMs: z.number(),
    recoveredAfterWindows: z.number().int(),
    budgets: z.array(z.object({ phase: z.string(), metric: z.string(), threshold: z.string() })),
    abortLimits: z.array(z.object({ metric: z.string(), threshold: z.string() })),
  })
  .meta({ description: 'the normalized scenario as run: defaults applied, phase overrides applied, durations in ms' });

const loadSchema = z.object({
  ingress: z.string(),
  target: z.string().meta({
    description: 'where the address came from (a URL, or the gateway Service); user:password in a URL is removed',
  }),
  ratePerSecond: z.number(),
  method: z.string(),
  paths: z.array(z.string()),
  host: z.string().optional(),
  timeoutMs: z.number(),
  preAllocatedVUs: z.number().int(),
  maxVUs: z.number().int(),
  script: z.looseObject({ file: z.string() }).optional().meta({ description: "the user's k6 script" }),
  outputs: z.array(z.string()).optional(),
  servedBy: z.looseObject({ kind: z.string() }).optional().meta({ description: 'how the serving cluster is read' }),
});

const k6EndSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('completed') }),
  z.object({ kind: z.literal('stopped') }),
  z.object({ kind: z.literal('script-error'), exitCode: z.number(), message: z.string() }),
  z.object({
    kind: z.literal('crashed'),
    exitCode: z.number().nullable(),
    signal: z.string().nullable(),
    message: z.string(),
  }),
]);

const stopSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('completed') }),
  z.object({ kind: z.enum(['aborted', 'interrupted', 'error']), reason: z.string() }),
]);

const windowSchema = z.object({
  ingress: z.string(),
  startMs: epochMs,
  endMs: epochMs,
  phase: z
    .string()
    .meta({ description: 'the phase the window started in; "outside" before the first and after the last' }),
  ...statsShape,
  breaches: z
    .array(z.object({ limit: z.string(), value: z.number().nullable() }))
    .meta({ description: 'abort limits this window breached' }),
  failedTraceIds: z.array(z.string()).optional().meta({
    description:
      'W3C trace ids (traceparent) of the first failed requests of the window, at most 10; absent when none failed or none carried one. Find them in the mesh: the gateway and every Pod log the trace id per hop',
  }),
  planned: z.number().nullable().optional().meta({
    description:
      'iterations planned in the window (rate × window); compare with `iterations` (started) and `dropped`, not `requests`',
  }),
  withinBaseline: z
    .boolean()
    .meta({ description: 'whether the window met every baseline budget (time to impact, time to recover)' }),
});

export const resultSchema = z
  .object({
    schemaVersion: z.literal(resultSchemaVersion),
    runId: z.string(),
    runDir: z.string().meta({ description: 'the run folder, as an absolute path on the machine that ran it' }),
    scenario: scenarioAsRunSchema,
    environment: z
      .object({
        name: z.string(),
        file: z.string().meta({ description: '"built-in" for the lab, else the environment file' }),
        namespace: z.string(),
        clusters: z.array(z.object({ name: z.string(), context: z.string(), region: z.string().optional() })),
      })
      .meta({ description: 'names and contexts only: never a server address, token, key or certificate' }),
    versions: z.object({
      chaos: z.string(),
      k6: z.string(),
      node: z.string(),
      resultSchema: z.number().int(),
    }),
    startedAt: time,
    endedAt: time,
    outcome: z.object({
      status: z.enum(['passed', 'failed', 'aborted', 'interrupted', 'error', 'inconclusive', 'invalid']).meta({
        description:
          'passed = the verdicts matched the expectation; inconclusive = nothing failed but some verdict could not be given (load not delivered); invalid = a negative control that proves nothing (exit 5), or a run that lost its lock mid-run, so its faults were not in place for the whole phase (exit 3)',
      }),
      exitCode: z.number().int(),
      reason: z.string(),
      budgetsHeld: z.boolean(),
      expectation: z.enum(['pass', 'fail']),
    }),
    stop: stopSchema,
    phases: z
      .array(z.object({ name: z.string(), startedAt: time, endedAt: time.nullable() }))
      .meta({ description: 'the judged phases, on the mesh clock: a fault phase starts when its faults converged' }),
    transitions: z
      .array(transitionSchema)
      .optional()
      .meta({ description: "the spans from a fault's API call until it converged, both ways" }),
    delivery: z
      .array(deliverySchema)
      .optional()
      .meta({ description: 'planned vs started iterations (and dropped; requests sent beside), per phase × ingress' }),
    load: z.array(loadSchema),
    verdicts: z.array(verdictSchema).meta({ description: 'one per budget × phase × ingress' }),
    comparisons: z.array(comparisonSchema).optional().meta({
      description:
        'each later phase × ingress compared with the baseline phase (docs/verdicts.md); absent in older results',
    }),
    phaseStats: z.array(
      z.object({ phase: z.string(), ingress: z.string(), stats: z.object(statsShape), durationMs: z.number() }),
    ),
    timings: z.array(timingSchema),
    faults: z.object({
      applied: z.array(
        z.object({
          faultId: z.string(),
          cluster: z.string(),
          appliedAtMs: epochMs,
          effectiveAtMs: epochMs,
          appliedAt: time,
          effectiveAt: time,
          convergence: z.enum(['status', 'settle']).nullable().optional().meta({
            description:
              'Istio faults: how the data plane was known to have it — status: the VirtualService status (observedGeneration, Reconciled); settle: no signal, the declared settle time was waited. null: not an Istio fault',
          }),
          convergedAtMs: epochMs.nullable().optional().meta({
            description: 'Istio faults: when the data plane had it (appliedAtMs is the API call); null otherwise',
          }),
          convergedAt: time.nullable().optional(),
        }),
      ),
      reverted: z.array(
        z.object({
          faultId: z.string(),
          cluster: z.string(),
          revertedAtMs: epochMs,
          revertedAt: time,
          convergedAtMs: epochMs
            .nullable()
            .optional()
            .meta({ description: 'Istio faults: when the data plane no longer had it (revertedAtMs is the API call)' }),
          convergedAt: time.nullable().optional(),
        }),
      ),
      revertAll: z
        .object({
          reverted: z.array(z.object({ faultId: z.string(), cluster: z.string(), revertedAtMs: epochMs })),
          failures: z.array(
            z.object({ faultId: z.string(), cluster: z.string(), message: z.string(), manual: z.string() }),
          ),
          startedAtMs: epochMs,
          finishedAtMs: epochMs,
          startedAt: time,
          finishedAt: time,
        })
        .nullable()
        .meta({
          description: 'the final revert of everything (a safety net after a completed run; the rollback otherwise)',
        }),
    }),
    k6: k6EndSchema.nullable(),
    samples: z.object({
      requests: z.number().int(),
      k6Reported: z.number().int().optional().meta({
        description:
          'requests k6 itself reported completing (its REST API, last look before it ended): under half of it seen is a harness error',
      }),
      late: z
        .number()
        .int()
        .meta({ description: 'samples that arrived after their window closed (counted in phases, not in windows)' }),
    }),
    rawAudit: rawAuditSchema
      .optional()
      .meta({ description: "--raw-samples: every verdict judged again from k6's own per-request output, compared" }),
    windows: z
      .array(windowSchema)
      .meta({ description: 'the time series: one entry per window per ingress, in time order' }),
  })
  .meta({ title: 'chaos run result (result.json, format v1)' });

export type RunResult = z.output<typeof resultSchema>;
export type ResultVerdict = z.output<typeof verdictSchema>;
export type ResultComparison = z.output<typeof comparisonSchema>;

export function exportResultSchema(): object {
  return {
    ...z.toJSONSchema(resultSchema, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: 'https://chaos.dev/schema/result.v1.json',
  };
}
