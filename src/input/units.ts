/**
 * Strict grammars for the scalar values of scenario and environment files.
 * Each parser returns a value or a sentence saying what was expected; nothing is guessed
 * (a bare `30` is not a duration: seconds or milliseconds?).
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

export const durationExpected = 'a duration such as 500ms, 30s, 2m or 1m30s (units ms, s, m, h)';

/** `500ms`, `30s`, `1m30s`, `1.5h` → milliseconds. */
export function parseDuration(input: unknown): Parsed<number> {
  if (typeof input !== 'string' || !durationPattern.test(input)) return { ok: false, expected: durationExpected };
  let total = 0;
  for (const [, amount, unit] of input.matchAll(durationPart)) {
    total += Number(amount) * (durationUnits[unit as string] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return { ok: false, expected: durationExpected };
  return { ok: true, value: Math.round(total) };
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 60_000 && ms % 1000 === 0) return `${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export const percentageExpected = 'a percentage from 0 to 100, as a number (20, 0.5) or a string ("20%")';

/** `20`, `0.5`, `"20%"` → 20, 0.5, 20. */
export function parsePercentage(input: unknown): Parsed<number> {
  let value: number;
  if (typeof input === 'number') value = input;
  else if (typeof input === 'string' && /^\d+(?:\.\d+)?%$/.test(input)) value = Number(input.slice(0, -1));
  else return { ok: false, expected: percentageExpected };
  if (!Number.isFinite(value) || value < 0 || value > 100) return { ok: false, expected: percentageExpected };
  return { ok: true, value };
}

export const rateExpected = 'a request rate per ingress: a positive number per second (50), or "50/s", "3000/m"';

/** Requests per second: `50`, `"50/s"`, `"3000/m"`. */
export function parseRate(input: unknown): Parsed<number> {
  let perSecond: number;
  if (typeof input === 'number') perSecond = input;
  else if (typeof input === 'string') {
    const match = /^(\d+(?:\.\d+)?)\/(s|m)$/.exec(input);
    if (!match) return { ok: false, expected: rateExpected };
    perSecond = match[2] === 'm' ? Number(match[1]) / 60 : Number(match[1]);
  } else return { ok: false, expected: rateExpected };
  if (!Number.isFinite(perSecond) || perSecond <= 0) return { ok: false, expected: rateExpected };
  return { ok: true, value: perSecond };
}
