/**
 * Suite format v1, as a zod schema (like src/scenario/schema.ts): scenarios run in order, each
 * optionally with its own phase durations and environment, with a settle check between them.
 */
import { z } from 'zod';
import { duration } from '../../input/schema-parts.js';

const nameRe = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const scenarioRef = z
  .string({ error: 'expected a scenario name (in scenarios/) or a path to a scenario file' })
  .min(1)
  .meta({
    description: 'A scenario name (looked up in ./scenarios/, then the shipped ones) or a path relative to this file',
  });

const entry = z.union(
  [
    scenarioRef,
    z.strictObject({
      scenario: scenarioRef,
      environment: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'Environment for this scenario (lab, or a file in environments/); --env wins' }),
      phases: z
        .record(z.string(), duration)
        .optional()
        .meta({ description: 'Phase (or step) name → duration for this scenario, e.g. {fault: 20s}; --phase wins' }),
    }),
  ],
  { error: 'expected a scenario name, or {scenario: NAME, phases: {…}, environment: NAME}' },
);

export const suiteSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: 'expected version: 1 (the only suite format so far)' }).default(1),
  name: z
    .string({ error: 'expected a suite name' })
    .regex(nameRe, { error: 'expected a suite name: lower-case letters, digits and "-"' }),
  description: z.string().min(1, { error: 'expected a sentence saying what the suite covers' }),
  environment: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Environment for every scenario unless the entry names one; default: each scenario's own" }),
  onFailure: z
    .enum(['continue', 'stop'], {
      error: 'expected continue (run every scenario) or stop (stop at the first that fails)',
    })
    .default('continue')
    .meta({
      description: 'After a failed scenario: continue (default) or stop; --continue-on-failure and --fail-fast win',
    }),
  settle: z
    .strictObject({
      timeout: duration
        .default('3m')
        .meta({ description: 'How long the environment may take to settle between scenarios before the suite stops' }),
      probeRequests: z
        .number()
        .int()
        .min(1)
        .max(500)
        .default(20)
        .meta({ description: 'Requests per ingress of each settle probe (sequential, bounded)' }),
      tolerance: z.number().min(0).max(1).default(0.05).meta({
        description: 'How far above the error rate measured before the first scenario a probe may be (0.05 = 5 points)',
      }),
    })
    .optional()
    .meta({
      description:
        'The check between scenarios: every workload ready, and the error rate through each ingress back at its baseline',
    }),
  scenarios: z.array(entry).min(1, { error: 'expected at least one scenario' }),
});

export type RawSuite = z.output<typeof suiteSchema>;

export function exportSuiteSchema(): object {
  return {
    ...z.toJSONSchema(suiteSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: 'https://chaos.dev/schema/suite.v1.json',
    title: 'chaos suite (format v1)',
  };
}
