/**
 * Scenario format v1, as a zod schema: the one source of the file's shape, its TypeScript
 * types and the JSON Schema that `chaos schema` exports for editors.
 *
 * This schema checks the raw file (strings such as "30s" stay strings); `normalize-scenario.ts`
 * turns a valid raw scenario into the typed, defaulted model the runner uses.
 */
import { z } from 'zod';
import { duration, k8sName, percentage, rate } from '../input/schema-parts.js';
import { faultSchema } from '../faults/registry.js';
import { checkBudgetEntry, thresholdExpected } from '../budgets/threshold.js';

const thresholdString = z.string({ error: `expected ${thresholdExpected}` }).meta({ description: thresholdExpected });
const thresholds = z.union([thresholdString, z.array(thresholdString).min(1)], {
  error: `expected ${thresholdExpected}, or a list of them`,
});
/** The budget grammar is checked here (not after the shape) so its problems come with every other one. */
const budgetMap = z
  .record(z.string(), thresholds)
  .superRefine((entries, ctx) => {
    for (const [key, value] of Object.entries(entries)) {
      // Lenient here: metrics and tags a user script declares are checked once it is read (validate-scenario.ts).
      for (const problem of checkBudgetEntry(key, value, undefined, true))
        ctx.addIssue({
          code: 'custom',
          message: problem.message,
          path: problem.index === undefined ? [key] : [key, problem.index],
          params: { at: problem.at },
        });
    }
  })
  .meta({ description: 'metric[{tag:value}] → threshold(s), e.g. http_req_failed: rate<0.01' });

const step = z.strictObject({
  name: k8sName,
  duration,
  faults: z.array(faultSchema).optional(),
});

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: 'expected version: 1 (the only scenario format so far)' }).default(1),
  name: k8sName,
  description: z.string().min(1, { error: 'expected a sentence saying what the scenario proves' }),
  environment: z
    .string()
    .min(1)
    .default('lab')
    .meta({ description: 'Environment name (lab, or a file in environments/) used when --env is not given' }),
  load: z.strictObject({
    rate,
    script: z
      .string()
      .regex(/\.(ts|js)$/, { error: 'expected a k6 script file ending in .ts or .js, e.g. ./load/bank-journeys.ts' })
      .optional()
      .meta({
        description:
          'A k6 script of your own (TypeScript, typed with @types/k6 and chaos/k6), relative to this file; default: the built-in GET of `paths`',
      }),
    outputs: z
      .array(
        z.string().regex(/^[a-z][a-z0-9-]*(=.*)?$/, {
          error: 'expected a k6 --out value such as csv=results.csv or experimental-prometheus-rw',
        }),
      )
      .optional()
      .meta({
        description:
          "k6 outputs added next to the harness's own (k6 --out values): csv=k6.csv, experimental-prometheus-rw, opentelemetry, …; relative file names land in the run folder",
      }),
    servedBy: z
      .union(
        [z.strictObject({ header: z.string().regex(/^[A-Za-z0-9-]+$/) }), z.strictObject({ body: z.string().min(1) })],
        {
          error:
            'expected servedBy: {header: x-served-by} (the response names the cluster) or {body: "cluster=(\\w+)"} (a pattern with one group)',
        },
      )
      .optional()
      .meta({
        description:
          "Read the serving cluster from the response itself: a header naming it, or a body pattern whose first group is it; default: the environment's mechanism",
      }),
    paths: z
      .array(z.string().regex(/^\//, { error: 'expected a path starting with "/"' }))
      .min(1)
      .default(['/']),
    method: z
      .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], {
        error: 'expected an HTTP method: GET, HEAD, POST, PUT, PATCH or DELETE',
      })
      .default('GET'),
    host: z.string().min(1).optional().meta({ description: "Host header; defaults to the environment's" }),
    timeout: duration.default('2s'),
    minDelivered: percentage.default(95).meta({
      description:
        'Share of planned requests (rate × phase length) a phase must send per ingress; below it the phase is inconclusive',
    }),
    maxVUs: z
      .number({ error: 'expected a whole number of virtual users per ingress, 1 or more' })
      .int({ error: 'expected a whole number of virtual users per ingress, 1 or more' })
      .min(1, { error: 'expected a whole number of virtual users per ingress, 1 or more' })
      .optional()
      .meta({ description: 'At most this many k6 virtual users per ingress; default: twice rate × timeout' }),
    ingresses: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({ description: 'Ingresses to load; default: every ingress of the environment' }),
    runner: z
      .enum(['local', 'k6-operator'], {
        error: 'expected local (k6 on this machine) or k6-operator (a TestRun in a cluster)',
      })
      .default('local')
      .meta({
        description:
          'Where k6 runs: local (default), or k6-operator for load one machine cannot produce (docs/distributed-load.md)',
      }),
    parallelism: z
      .number({ error: 'expected a whole number of runner Pods, 1 or more' })
      .int({ error: 'expected a whole number of runner Pods, 1 or more' })
      .min(1, { error: 'expected a whole number of runner Pods, 1 or more' })
      .optional()
      .meta({ description: 'k6-operator: runner Pods sharing the load (execution segments); default 1' }),
    operator: z
      .strictObject({
        cluster: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'Cluster the TestRun is created in; default: the first of the environment' }),
        namespace: k8sName.optional().meta({
          description: "Namespace of the TestRun and its ConfigMap; default: the environment's app namespace",
        }),
        image: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'Runner image (k6 v2); default: grafana/k6:<pinned version>' }),
        serviceAccount: k8sName
          .optional()
          .meta({ description: 'ServiceAccount of the runner Pods; default: the namespace default' }),
      })
      .optional()
      .meta({ description: 'k6-operator: where the TestRun goes and what the runners run' }),
  }),
  phases: z
    .strictObject({
      baseline: duration.default('30s'),
      fault: duration.default('60s'),
      recovery: duration.default('60s'),
    })
    .optional(),
  faults: z
    .array(faultSchema)
    .optional()
    .meta({ description: 'Faults applied at the start of the fault phase and reverted at its end' }),
  steps: z
    .array(step)
    .min(1)
    .optional()
    .meta({ description: 'Instead of phases + faults: named steps, each with its own duration and faults' }),
  windows: z
    .strictObject({
      size: duration.default('1s'),
      recoveredAfter: z
        .number()
        .int()
        .min(1)
        .default(3)
        .meta({ description: 'Consecutive windows back within the baseline budgets that count as recovered' }),
    })
    .optional(),
  budgets: z
    .record(z.string(), budgetMap)
    .optional()
    .meta({ description: 'Phase (or step) name, or "all" → budgets judged on that phase, per ingress' }),
  abort: budgetMap.optional().meta({
    description: 'Checked on every window of every ingress; a breach reverts all faults at once and fails the run',
  }),
  expect: z
    .union(
      [
        z.enum(['pass', 'fail']),
        z.strictObject({
          fail: z.array(z.string().min(1)).min(1).meta({
            description: 'Budgets that must be breached, as "<phase>: <metric>" (e.g. "fault: http_req_failed")',
          }),
        }),
      ],
      { error: 'expected pass, fail, or {fail: ["fault: http_req_failed"]} for a negative control' },
    )
    .default('pass'),
  requireParity: z.boolean({ error: 'expected true or false' }).default(false).meta({
    description:
      'Refuse to start when the targeted services differ across clusters (images, replicas, readiness); default: print the differences and go on',
  }),
  requireGuard: z.boolean({ error: 'expected true or false' }).default(false).meta({
    description:
      'Refuse to start unless a `chaos guard` is active in every cluster (its chaos-system/chaos-guard Lease fresh); default: say so and warn once when one is not',
  }),
});

export type RawScenario = z.output<typeof scenarioSchema>;
