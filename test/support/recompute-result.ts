/**
 * An independent recomputation of a run's result.json from k6's raw output (the NDJSON k6 wrote,
 * kept gzip-compressed beside the fixture), written without any code of src/budgets: plain
 * arrays, sorting, exact order statistics. A number the ledger got wrong cannot be frozen into a
 * fixture or a golden report, because this check fails first; UPDATE_GOLDEN does not touch it.
 *
 * Rules, from the documentation rather than the code:
 *  - one `chaos_req` point per request; its time is when it ended, its value the duration (ms);
 *    `failed` tag "1" is a failure; `status` and `served_by` tags as recorded;
 *  - a request counts for the phase it was sent in: end − duration ∈ [phase start, phase end);
 *  - a window holds the requests that ended in [startMs, endMs) on its ingress;
 *  - percentiles (p50, p95, p99 and p(N) budgets) follow k6's definition (k6 metrics/sink.go,
 *    TrendSink.P; docs/verdicts.md): sort the durations, take the index (N − 1)·p/100 and
 *    interpolate linearly between the values at its floor and its ceiling; accepted within 0.1 %;
 *    p(0) and p(100), min and max are exact.
 *  - errorRate = failures / requests; avg within 1e-9 relative.
 */
import { gunzipSync } from 'node:zlib';

export interface RawRequest {
  endMs: number;
  durationMs: number;
  ingress: string;
  failed: boolean;
  status: number;
  servedBy: string;
}

/** Parses k6's NDJSON (gzip or plain); only `chaos_req` points; a malformed one is an error. */
export function readRawRequests(buffer: Buffer): RawRequest[] {
  const text = (buffer[0] === 0x1f && buffer[1] === 0x8b ? gunzipSync(buffer) : buffer).toString('utf8');
  const requests: RawRequest[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.includes('"metric":"chaos_req","type":"Point"')) continue;
    const point = JSON.parse(line) as { data: { time: string; value: number; tags: Record<string, string> } };
    const endMs = Date.parse(point.data.time);
    if (!Number.isFinite(endMs) || typeof point.data.value !== 'number')
      throw new Error(`raw line ${index + 1} is not a request point: ${line.slice(0, 200)}`);
    requests.push({
      endMs,
      durationMs: point.data.value,
      ingress: point.data.tags.ingress ?? 'unknown',
      failed: point.data.tags.failed === '1',
      status: Number(point.data.tags.status ?? 0),
      servedBy: point.data.tags.served_by ?? 'unknown',
    });
  }
  return requests;
}

/** The order statistics a phase's and a window's stats carry, as percentiles (min 0, max 100). */
export const percentileKeys = [
  ['p50', 50],
  ['p95', 95],
  ['p99', 99],
  ['min', 0],
  ['max', 100],
] as const;

/** k6's percentile of the sorted durations (see the header); null for none. */
export function orderStatistic(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  if (p <= 0) return sorted[0]!;
  if (p >= 100) return sorted[sorted.length - 1]!;
  const position = (p / 100) * (sorted.length - 1);
  const below = sorted[Math.floor(position)]!;
  const above = sorted[Math.ceil(position)]!;
  return below + (above - below) * (position - Math.floor(position));
}

function percentileAgrees(reported: number | null, exact: number | null, p: number): boolean {
  if (reported === null || exact === null) return reported === exact;
  if (p <= 0 || p >= 100) return reported === exact;
  return Math.abs(reported - exact) <= Math.abs(exact) * 0.001;
}

interface Stats {
  requests: number;
  failures: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  min: number | null;
  avg: number | null;
  statusClasses?: Record<string, number>;
  servedBy?: Record<string, number>;
}

const classOf = (status: number): string => (status >= 200 && status < 600 ? `${Math.floor(status / 100)}xx` : 'error');

function compareStats(where: string, reported: Stats, requests: readonly RawRequest[], problems: string[]): void {
  const durations = requests.map((r) => r.durationMs).sort((a, b) => a - b);
  const failures = requests.filter((r) => r.failed).length;
  const n = requests.length;
  const check = (what: string, ok: boolean, got: unknown, want: unknown) => {
    if (!ok) problems.push(`${where}: ${what} is ${JSON.stringify(got)}, the raw samples give ${JSON.stringify(want)}`);
  };
  check('requests', reported.requests === n, reported.requests, n);
  check('failures', reported.failures === failures, reported.failures, failures);
  const rate = n === 0 ? null : failures / n;
  check(
    'errorRate',
    rate === null ? reported.errorRate === null : Math.abs((reported.errorRate ?? NaN) - rate) <= 1e-12,
    reported.errorRate,
    rate,
  );
  for (const [key, p] of percentileKeys) {
    const exact = orderStatistic(durations, p);
    check(key, percentileAgrees(reported[key], exact, p), reported[key], exact);
  }
  const avg = n === 0 ? null : durations.reduce((sum, d) => sum + d, 0) / n;
  check(
    'avg',
    avg === null ? reported.avg === null : Math.abs((reported.avg ?? NaN) - avg) <= Math.abs(avg) * 1e-9,
    reported.avg,
    avg,
  );
  if (reported.statusClasses) {
    const classes: Record<string, number> = {};
    for (const r of requests) classes[classOf(r.status)] = (classes[classOf(r.status)] ?? 0) + 1;
    check(
      'statusClasses',
      JSON.stringify(sortKeys(reported.statusClasses)) === JSON.stringify(sortKeys(classes)),
      reported.statusClasses,
      classes,
    );
  }
  if (reported.servedBy) {
    const served: Record<string, number> = {};
    for (const r of requests) served[r.servedBy] = (served[r.servedBy] ?? 0) + 1;
    check(
      'servedBy',
      JSON.stringify(sortKeys(reported.servedBy)) === JSON.stringify(sortKeys(served)),
      reported.servedBy,
      served,
    );
  }
}

const sortKeys = (record: Record<string, number>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

export interface ResultDocument {
  phases: Array<{ name: string; startedAt: string; endedAt: string | null }>;
  phaseStats: Array<{ phase: string; ingress: string; stats: Stats }>;
  windows?: Array<Stats & { ingress: string; startMs: number; endMs: number }>;
  verdicts: Array<{
    phase: string;
    ingress: string;
    budget: string;
    value: number | null;
    samples?: number;
    pass: boolean;
  }>;
  samples?: { requests: number };
}

/** Every disagreement between result.json and the raw samples; empty when they agree. */
export function recomputeResult(result: ResultDocument, raw: readonly RawRequest[]): string[] {
  const problems: string[] = [];
  if (result.samples && result.samples.requests !== raw.length)
    problems.push(`samples.requests is ${result.samples.requests}, the raw output has ${raw.length} requests`);
  const phaseOf = (r: RawRequest): string | undefined => {
    const sent = r.endMs - r.durationMs;
    return result.phases.find(
      (p) => sent >= Date.parse(p.startedAt) && (p.endedAt === null || sent < Date.parse(p.endedAt)),
    )?.name;
  };
  const byPhase = new Map<string, RawRequest[]>();
  for (const r of raw) {
    const phase = phaseOf(r);
    if (phase === undefined) continue;
    const key = `${phase}/${r.ingress}`;
    byPhase.set(key, [...(byPhase.get(key) ?? []), r]);
  }
  for (const entry of result.phaseStats)
    compareStats(
      `phase ${entry.phase}/${entry.ingress}`,
      entry.stats,
      byPhase.get(`${entry.phase}/${entry.ingress}`) ?? [],
      problems,
    );
  for (const window of result.windows ?? []) {
    const inside = raw.filter(
      (r) => r.ingress === window.ingress && r.endMs >= window.startMs && r.endMs < window.endMs,
    );
    compareStats(
      `window ${window.ingress}@${window.startMs}`,
      { ...window, statusClasses: undefined, servedBy: undefined },
      inside,
      problems,
    );
  }
  for (const verdict of result.verdicts) {
    // Only the budgets without tag filters: `http_req_failed: rate<X` and `http_req_duration: p(N)<X`.
    const match = /^(http_req_failed|http_req_duration): (rate|p\(([\d.]+)\))\s*(<=|<|>=|>)\s*([\d.]+)$/.exec(
      verdict.budget,
    );
    if (!match) continue;
    const requests = byPhase.get(`${verdict.phase}/${verdict.ingress}`) ?? [];
    const durations = requests.map((r) => r.durationMs).sort((a, b) => a - b);
    const [, , aggregation, pct, op, limitText] = match;
    const value =
      aggregation === 'rate'
        ? requests.length === 0
          ? null
          : requests.filter((r) => r.failed).length / requests.length
        : orderStatistic(durations, Number(pct));
    const agrees =
      aggregation === 'rate'
        ? value === null
          ? verdict.value === null
          : Math.abs((verdict.value ?? NaN) - value) <= 1e-12
        : percentileAgrees(verdict.value, value, Number(pct));
    const where = `verdict ${verdict.phase}/${verdict.ingress} ${verdict.budget}`;
    if (!agrees) problems.push(`${where}: value ${verdict.value}, the raw samples give ${value}`);
    if (verdict.samples !== undefined && verdict.samples !== requests.length)
      problems.push(`${where}: ${verdict.samples} samples, the raw samples give ${requests.length}`);
    // No samples is a failure, never a pass (DESIGN.md); a percentile with fewer than 10 samples
    // beyond it (n·(1 − p/100) < 10) is inconclusive, never a pass; otherwise the comparison decides.
    const limit = Number(limitText);
    const v = verdict.value;
    const tail = pct === undefined ? Infinity : (requests.length * Math.min(Number(pct), 100 - Number(pct))) / 100;
    // The rule came with `outcome` (issue 16): results written before it were judged without it.
    const enough =
      !('outcome' in verdict) || pct === undefined || Number(pct) <= 0 || Number(pct) >= 100 || tail >= 10 - 1e-9;
    const pass =
      v !== null &&
      requests.length > 0 &&
      enough &&
      (op === '<' ? v < limit : op === '<=' ? v <= limit : op === '>' ? v > limit : v >= limit);
    if (pass !== verdict.pass) problems.push(`${where}: pass is ${verdict.pass}, the rule gives ${pass}`);
  }
  return problems;
}
