/**
 * Field checks shared by admission: each collects a `{field, message}` cause instead of
 * throwing, so one 422 names every problem, as the real server's field.ErrorList does.
 */
import { isRecord, isStringMap } from './object-types.js';

export interface FieldCause {
  field: string;
  message: string;
}

export class Causes {
  readonly list: FieldCause[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  required(field: string): void {
    this.add(field, 'Required value');
  }

  invalid(field: string, value: unknown, why: string): void {
    this.add(field, `Invalid value: ${JSON.stringify(value)}: ${why}`);
  }
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkName(causes: Causes, name: unknown): void {
  if (typeof name !== 'string' || name === '') {
    causes.add('metadata.name', 'Required value: name or generateName is required');
  } else if (name.length > 253 || !dnsSubdomain.test(name)) {
    causes.invalid(
      'metadata.name',
      name,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
}

export function checkStringMap(causes: Causes, field: string, value: unknown): void {
  if (value !== undefined && value !== null && !isStringMap(value))
    causes.invalid(field, value, 'must be a map of string keys to string values');
}

export function checkInteger(
  causes: Causes,
  field: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    causes.invalid(field, value, `must be an integer between ${min} and ${max}`);
  }
}

export function checkIntOrPercent(causes: Causes, field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return;
  if (typeof value === 'string' && /^\d+%$/.test(value)) return;
  causes.invalid(field, value, 'must be a non-negative integer or a percentage like "50%"');
}

export function checkObject(
  causes: Causes,
  field: string,
  value: unknown,
  required: boolean,
): value is Record<string, unknown> {
  if (value === undefined || value === null) {
    if (required) causes.required(field);
    return false;
  }
  if (!isRecord(value)) {
    causes.invalid(field, value, 'must be an object');
    return false;
  }
  return true;
}

export function checkArray(causes: Causes, field: string, value: unknown, required: boolean): value is unknown[] {
  if (value === undefined || value === null) {
    if (required) causes.required(field);
    return false;
  }
  if (!Array.isArray(value)) {
    causes.invalid(field, value, 'must be a list');
    return false;
  }
  return true;
}

/** Istio durations (`1.5s`, `500ms`, `1m`), with the message of the CRDs' CEL rule. */
export function checkDuration(causes: Causes, field: string, value: unknown, minMs = 1): void {
  if (value === undefined) return;
  const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
  if (ms === undefined || ms < minMs)
    causes.add(field, `Invalid value: "string": must be a valid duration greater than ${minMs}ms`);
}

export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 }[
    match[2] as 'h' | 'm' | 's' | 'ms' | 'us' | 'µs' | 'ns'
  ];
  return value * unit;
}

export function checkPercentage(causes: Causes, field: string, value: unknown): void {
  if (value === undefined) return;
  if (
    !isRecord(value) ||
    (value.value !== undefined && (typeof value.value !== 'number' || value.value < 0 || value.value > 100))
  ) {
    causes.invalid(field, value, 'must be {value: <number between 0 and 100>}');
  }
}
