/**
 * --raw-samples: the same run judged a second way. k6's own per-request output (its JSON, with
 * every request's `chaos_req` point or, for a stock k6/http request, its `http_req_duration`) is
 * read into a replica of the run's ledger — the same budgets, the same phase and transition
 * cuts — and every verdict is compared with the one the compact record gave. An auditor reads
 * the answer in the result (`rawAudit`) instead of taking the compact path on trust.
 */
import { existsSync } from 'node:fs';
import type { Ledger, Verdict } from '../../budgets/ledger.js';
import { followSamples } from '../../load/sample-stream.js';
import type { SampleParser } from '../../load/samples.js';

export interface RawAudit {
  /** Verdicts compared (every budget × phase × ingress of the run). */
  verdicts: number;
  /** Requests each path counted (every one, in or out of a phase). */
  requests: { records: number; raw: number };
  /** Verdicts whose outcome, value or sample count differ between the two paths. */
  differing: Array<{
    phase: string;
    ingress: string;
    budget: string;
    records: Pick<Verdict, 'outcome' | 'value' | 'samples'>;
    raw: Pick<Verdict, 'outcome' | 'value' | 'samples'>;
  }>;
}

const keyOf = (verdict: Verdict): string => `${verdict.phase}|${verdict.ingress}|${verdict.budget}`;
const sameValue = (a: number | null, b: number | null): boolean =>
  a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

/** Undefined when k6 wrote no raw output (a k6-operator run: its JSON stays in the runners' logs). */
export function auditRawSamples(ledger: Ledger, file: string, parse: SampleParser): RawAudit | undefined {
  if (!existsSync(file)) return undefined;
  const replica = ledger.replica();
  followSamples(file, (sample) => replica.add(sample), parse).close();
  const raw = new Map(replica.verdicts().map((verdict) => [keyOf(verdict), verdict]));
  const ours = ledger.verdicts();
  const pick = (v: Verdict | undefined) => ({
    outcome: v?.outcome ?? 'no-data',
    value: v?.value ?? null,
    samples: v?.samples ?? 0,
  });
  const differing = ours
    .filter((verdict) => {
      const other = raw.get(keyOf(verdict));
      return (
        !other ||
        other.outcome !== verdict.outcome ||
        other.samples !== verdict.samples ||
        !sameValue(other.value, verdict.value)
      );
    })
    .map((verdict) => ({
      phase: verdict.phase,
      ingress: verdict.ingress,
      budget: verdict.budget,
      records: pick(verdict),
      raw: pick(raw.get(keyOf(verdict))),
    }));
  return { verdicts: ours.length, requests: { records: ledger.samples, raw: replica.samples }, differing };
}
