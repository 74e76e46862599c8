/**
 * The small value shapes every YAML format of ours shares (zod): durations, percentages, rates and
 * Kubernetes object names, each with the sentence a user sees when a value does not fit.
 */
import { z } from 'zod';
import { durationExpected, percentageExpected, rateExpected } from './units.js';

const durationRe = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const percentRe = /^\d+(?:\.\d+)?%$/;
const nameRe = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const duration = z
  .string({ error: `expected ${durationExpected}` })
  .regex(durationRe, { error: `expected ${durationExpected}` })
  .meta({ description: durationExpected, examples: ['30s', '500ms', '1m30s'] });

const percentageError = { error: `expected ${percentageExpected}` };
export const percentage = z
  .union(
    [
      z.number(percentageError).min(0, percentageError).max(100, percentageError),
      z.string(percentageError).regex(percentRe, percentageError),
    ],
    percentageError,
  )
  .meta({ description: percentageExpected });

const rateError = { error: `expected ${rateExpected}` };
export const rate = z
  .union(
    [z.number(rateError).positive(rateError), z.string(rateError).regex(/^\d+(?:\.\d+)?\/(s|m)$/, rateError)],
    rateError,
  )
  .meta({ description: rateExpected });

export const k8sName = z.string({ error: 'expected a Kubernetes object name' }).regex(nameRe, {
  error: 'expected a Kubernetes object name: lower-case letters, digits and "-", at most 63 characters',
});
