/**
 * What the ledger tests build again and again: a budget from its text, a request sample as the
 * load script reports it, and a ledger with the usual options. Test code only.
 */
import { Ledger, type LedgerOptions } from '../../src/budgets/ledger.js';
import { parseMetricSelector, parseThreshold } from '../../src/budgets/threshold.js';
import type { Budget } from '../../src/budgets/budget.js';
import type { LoadSample } from '../../src/budgets/sample.js';

/** `budget('fault', 'http_req_duration{ingress:central}', 'p(95)<100')`; throws on a typo in the test. */
export function budget(phase: string, selector: string, threshold: string): Budget {
  const s = parseMetricSelector(selector);
  const t = parseThreshold(threshold);
  if (!s.ok || !t.ok) throw new Error(`bad test budget ${selector}: ${threshold}`);
  return { phase, selector: s.value, threshold: t.value };
}

/**
 * A request sent at `sentMs` that took `durationMs`: k6 stamps its end, so the sample's time is
 * sent + duration (unless `endMs` says otherwise). A failure answers 503; one that reached no
 * server has status 0.
 */
export function requestSample(
  sentMs: number,
  durationMs: number,
  options: { ingress?: string; failed?: boolean; servedBy?: string; reached?: boolean; endMs?: number } = {},
): LoadSample {
  const ingress = options.ingress ?? 'central';
  const reached = options.reached ?? true;
  const failed = options.failed ?? !reached;
  return {
    kind: 'request',
    timeMs: options.endMs ?? sentMs + durationMs,
    sentMs,
    reached,
    ingress,
    servedBy: options.servedBy ?? ingress,
    status: reached ? (failed ? 503 : 200) : 0,
    path: '/',
    failed,
    durationMs,
  };
}

/** A ledger of 1 s windows from time 0, GET, no abort limits, for `budgets` (central only unless told). */
export function testLedger(budgets: Budget[], extra: Partial<LedgerOptions> = {}): Ledger {
  return new Ledger({
    ingresses: ['central'],
    windowMs: 1000,
    method: 'GET',
    originMs: 0,
    abortLimits: [],
    budgets,
    ...extra,
  });
}
