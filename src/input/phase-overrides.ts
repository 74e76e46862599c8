import { InputError } from '../errors/errors.js';
import { parseDuration } from './units.js';

/** `--phase fault=20s --phase recovery=10s` → { fault: 20000, recovery: 10000 }. */
export function parsePhaseOverrides(values: readonly string[]): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const value of values) {
    const [name, text] = value.split('=', 2);
    const duration = parseDuration(text);
    if (!name || !duration.ok)
      throw new InputError(
        `--phase ${value}: expected NAME=DURATION, e.g. --phase fault=20s`,
        [],
        duration.ok ? undefined : `DURATION is ${duration.expected}`,
      );
    overrides[name] = duration.value;
  }
  return overrides;
}
