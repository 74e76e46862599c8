/**
 * One-off (issue 16): the frozen fixture runs were recorded when percentiles were HDR nearest
 * rank. Their raw samples are kept, so their percentiles are recomputed under k6's definition by
 * the independent recomputation (recompute-result.ts: a plain sort and interpolation, no code of
 * src/) and written back: phaseStats and windows p50/p95/p99/min/max, and the value of every
 * untagged percentile verdict. Nothing else changes (the verdicts' pass did not flip: every value
 * is at most its nearest-rank one). Kept for the record; a new recording supersedes it.
 *
 *   npx tsx test/support/refresh-fixture-percentiles.ts
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { orderStatistic, percentileKeys, readRawRequests, type RawRequest } from './recompute-result.js';

const root = path.join(import.meta.dirname, '../fixtures/run/reports');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function refresh(stats: Json, requests: readonly RawRequest[]): void {
  const sorted = requests.map((r) => r.durationMs).sort((a, b) => a - b);
  for (const [key, p] of percentileKeys) stats[key] = orderStatistic(sorted, p);
}

for (const folder of readdirSync(root)) {
  const file = path.join(root, folder, 'result.json');
  if (!existsSync(file)) continue;
  const result = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const raw = readRawRequests(readFileSync(path.join(root, folder, 'k6-samples.json.gz')));
  const phaseOf = (r: RawRequest) =>
    (result.phases as Json[]).find(
      (p) =>
        r.endMs - r.durationMs >= Date.parse(p.startedAt) &&
        (p.endedAt === null || r.endMs - r.durationMs < Date.parse(p.endedAt)),
    )?.name as string | undefined;
  const inPhase = (phase: string, ingress: string) => raw.filter((r) => r.ingress === ingress && phaseOf(r) === phase);
  for (const entry of result.phaseStats as Json[]) refresh(entry.stats, inPhase(entry.phase, entry.ingress));
  for (const w of (result.windows ?? []) as Json[])
    refresh(
      w,
      raw.filter((r) => r.ingress === w.ingress && r.endMs >= w.startMs && r.endMs < w.endMs),
    );
  for (const v of result.verdicts as Json[]) {
    const match = /^http_req_duration: p\(([\d.]+)\)/.exec(v.budget);
    if (!match) continue;
    const sorted = inPhase(v.phase, v.ingress)
      .map((r) => r.durationMs)
      .sort((a, b) => a - b);
    v.value = orderStatistic(sorted, Number(match[1]));
  }
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${folder}: refreshed`);
}
