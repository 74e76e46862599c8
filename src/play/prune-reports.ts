/**
 * `chaos report --prune --keep N --max-age D`, and a suite's `retention:` after it ran: old run
 * folders removed, each one's summary line kept in the reports index (reports/pruned.json), the
 * index rebuilt.
 */
import path from 'node:path';
import { InputError } from '../errors/errors.js';
import { parseDuration } from '../input/units.js';
import { pruneReports } from '../report/keep-reports.js';
import { writeIndex } from '../report/write-reports.js';

export interface Retention {
  keep?: number;
  maxAgeMs?: number;
}

const ageExpected = 'an age such as 30d, 12h or 90m (days d, or a duration: ms, s, m, h)';

/** `30d`, or any duration (`12h`). */
export function parseAge(text: string): number | undefined {
  const days = /^(\d+)d$/.exec(text);
  if (days) return Number(days[1]) * 86_400_000;
  const parsed = parseDuration(text);
  return parsed.ok ? parsed.value : undefined;
}

/** `--keep` / `--max-age` as given on the command line, checked. */
export function retentionFrom(options: { keep?: string; maxAge?: string }): Retention {
  const retention: Retention = {};
  if (options.keep !== undefined) {
    const keep = Number(options.keep);
    if (!Number.isInteger(keep) || keep < 1)
      throw new InputError(`--keep ${options.keep}: expected a whole number of runs, at least 1`, [], 'e.g. --keep 30');
    retention.keep = keep;
  }
  if (options.maxAge !== undefined) {
    const age = parseAge(options.maxAge);
    if (age === undefined)
      throw new InputError(`--max-age ${options.maxAge}: expected ${ageExpected}`, [], 'e.g. --max-age 30d');
    retention.maxAgeMs = age;
  }
  if (retention.keep === undefined && retention.maxAgeMs === undefined)
    throw new InputError('--prune needs --keep N or --max-age D (or both)', [], 'e.g. chaos report --prune --keep 30');
  return retention;
}

export async function pruneReportsDir(reportsDir: string, retention: Retention, now = Date.now()): Promise<string[]> {
  const removed = await pruneReports(reportsDir, { ...retention, now });
  await writeIndex(reportsDir);
  return removed.map((folder) => path.join(reportsDir, folder));
}
