/**
 * What `--output json` prints, command by command, as zod schemas: the one source of each
 * document's TypeScript type and of its JSON Schema under schema/ (kept in step by
 * test/cli/output-json.test.ts; UPDATE_GOLDEN=1 regenerates). `chaos run` of one scenario prints
 * the result document (result-schema.ts); of several, a batch document; of a suite, a suite one.
 *
 * Versioning: adding a field keeps `schemaVersion`; removing, renaming or retyping one bumps it.
 */
import { z } from 'zod';
import { resultSchema } from './result-schema.js';

export const outputSchemaVersion = 1;

const version = z
  .literal(outputSchemaVersion)
  .meta({ description: 'format version of this document; bumped when a field is removed, renamed or retyped' });

const issueSchema = z
  .object({
    file: z.string(),
    line: z.number().int().min(1),
    column: z.number().int().min(1),
    path: z.string().meta({ description: 'dotted path of the field, e.g. faults[0].replicas; empty for the file' }),
    message: z.string(),
    hint: z.string().optional(),
  })
  .meta({ description: 'one problem in a file, located' });

const errorOutputSchema = z
  .object({
    schemaVersion: version,
    error: z.object({
      message: z.string(),
      exitCode: z.number().int().meta({ description: 'the exit code of the process (README: Exit codes)' }),
      kind: z
        .enum(['input', 'harness', 'internal'])
        .meta({ description: 'input: bad file or argument (exit 2); harness: the harness or cluster failed (3)' }),
      hint: z.string().optional(),
    }),
    issues: z.array(issueSchema).meta({ description: 'every located problem, across every file checked' }),
  })
  .meta({ title: 'chaos --output json: an error (any command)' });

const listedScenario = z.object({
  name: z.string(),
  file: z.string(),
  valid: z.boolean(),
  expect: z.enum(['pass', 'fail']).nullable().meta({ description: 'null when the file is invalid' }),
  faults: z.array(z.string()).meta({ description: 'fault types, in phase order' }),
  description: z.string(),
  error: z.string().optional().meta({ description: 'why the file is invalid' }),
  issues: z.array(issueSchema),
});

const listedSuite = z.object({
  name: z.string(),
  file: z.string(),
  valid: z.boolean(),
  description: z.string(),
  scenarios: z.array(z.string()).meta({ description: 'scenario names, in order of play' }),
  error: z.string().optional(),
  issues: z.array(issueSchema),
});

const listOutputSchema = z
  .object({ schemaVersion: version, scenarios: z.array(listedScenario), suites: z.array(listedSuite) })
  .meta({ title: 'chaos list --output json' });

const validateOutputSchema = z
  .object({
    schemaVersion: version,
    valid: z.literal(true).meta({ description: 'always true: an invalid file prints the error document, exit 2' }),
    files: z.array(
      z.object({
        file: z.string(),
        kind: z.enum(['scenario', 'environment', 'suite']),
        warnings: z
          .array(z.string())
          .optional()
          .meta({ description: "what a run could not attribute in the scenario's k6 script (file:line: why)" }),
      }),
    ),
  })
  .meta({ title: 'chaos validate --output json' });

const plannedTarget = z.object({
  cluster: z.string(),
  context: z.string(),
  namespace: z.string(),
  mutations: z.array(z.string()).meta({ description: 'each change, as the API request that makes it' }),
});

export const planSchema = z.object({
  scenario: z.object({ name: z.string(), file: z.string(), expect: z.enum(['pass', 'fail']) }),
  environment: z.object({
    name: z.string(),
    namespace: z.string(),
    clusters: z.array(z.object({ name: z.string(), context: z.string() })),
  }),
  runId: z.string(),
  totalMs: z.number(),
  phases: z.array(
    z.object({
      name: z.string(),
      startMs: z.number(),
      durationMs: z.number(),
      faults: z.array(z.object({ id: z.string(), type: z.string(), targets: z.array(plannedTarget) })),
    }),
  ),
  load: z.array(
    z.object({
      ingress: z.string(),
      target: z.string(),
      ratePerSecond: z.number(),
      method: z.string(),
      paths: z.array(z.string()),
      host: z.string().optional(),
      timeoutMs: z.number(),
      preAllocatedVUs: z.number().int(),
      maxVUs: z.number().int(),
    }),
  ),
});

const planOutputSchema = z
  .object({
    schemaVersion: version,
    suite: z.string().optional().meta({ description: 'set when a suite was planned: one plan per scenario' }),
    plans: z.array(planSchema),
  })
  .meta({ title: 'chaos plan --output json' });

const batchRun = z.object({
  scenario: z.string(),
  folder: z.string().nullable(),
  exitCode: z.number().int(),
  error: z.string().optional(),
});

const batchOutputSchema = z.object({
  schemaVersion: version,
  kind: z.literal('batch'),
  exitCode: z.number().int(),
  runs: z.array(batchRun),
  results: z.array(resultSchema),
});

const suiteOutputSchema = z.object({
  schemaVersion: version,
  kind: z.literal('suite'),
  suite: z.string(),
  exitCode: z.number().int(),
  runs: z.array(batchRun),
  notRun: z.array(z.object({ scenario: z.string(), reason: z.string() })),
  settles: z.array(
    z.object({
      before: z.string().meta({ description: 'the scenario the check ran before' }),
      settled: z.boolean(),
      message: z.string(),
      waitedMs: z.number().optional(),
      probes: z.number().int().optional().meta({ description: 'probe rounds through every ingress' }),
      notReady: z.array(z.string()).optional().meta({ description: 'what was not ready at the last look' }),
      lastProbe: z
        .array(
          z.object({
            ingress: z.string(),
            requests: z.number().int(),
            failures: z.number().int(),
            lastFailure: z.string().optional(),
          }),
        )
        .optional(),
    }),
  ),
  combined: z.string().meta({ description: 'the folder of the combined reports' }),
});

const runOutputSchema = z
  .union([resultSchema, batchOutputSchema, suiteOutputSchema])
  .meta({ title: 'chaos run --output json: a result (one scenario), a batch or a suite' });

const reportOutputSchema = z
  .object({ schemaVersion: version, written: z.array(z.string()).meta({ description: 'files written' }) })
  .meta({ title: 'chaos report --output json' });

const recoverOutputSchema = z
  .object({
    schemaVersion: version,
    environment: z.string(),
    dryRun: z.boolean(),
    labRunning: z.boolean().optional().meta({ description: 'lab only: false when no lab runs (nothing can be left)' }),
    leftovers: z.array(
      z.object({
        description: z.string(),
        manual: z.string().meta({ description: 'how to undo it by hand' }),
        outcome: z.enum(['reverted', 'absent', 'conflict', 'failed']).nullable(),
        detail: z.string().nullable(),
        recovered: z.boolean(),
      }),
    ),
    suspects: z.array(z.string()).meta({ description: 'things that look like ours but were not touched' }),
    problems: z.array(z.string()),
    notChecked: z.array(z.string()).meta({
      description:
        'clusters that could not be reached, locked or scanned completely, and leftovers left alone there (exit 3)',
    }),
  })
  .meta({ title: 'chaos recover --output json' });

const labStatusOutputSchema = z
  .object({
    schemaVersion: version,
    running: z.boolean(),
    stateDir: z.string().meta({ description: "the lab's state folder that was looked at" }),
    pid: z.number().int().nullable(),
    kubeconfig: z.string().nullable(),
    clusters: z.array(
      z.object({ name: z.string(), context: z.string(), apiUrl: z.string(), ingressUrl: z.string() }).loose(),
    ),
  })
  .meta({ title: 'chaos lab status --output json' });

export const outputSchemas = {
  error: errorOutputSchema,
  list: listOutputSchema,
  validate: validateOutputSchema,
  plan: planOutputSchema,
  run: runOutputSchema,
  report: reportOutputSchema,
  recover: recoverOutputSchema,
  'lab-status': labStatusOutputSchema,
} as const;

export type OutputName = keyof typeof outputSchemas;
export type ErrorOutput = z.output<typeof errorOutputSchema>;
export type ListOutput = z.output<typeof listOutputSchema>;
export type PlanOutput = z.output<typeof planOutputSchema>;
export type RecoverOutput = z.output<typeof recoverOutputSchema>;

/** The JSON Schema of one output document, as committed under schema/output/. */
export function exportOutputSchema(name: OutputName): object {
  return {
    ...z.toJSONSchema(outputSchemas[name], { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: `https://chaos.dev/schema/output/${name}.v${outputSchemaVersion}.json`,
  };
}
