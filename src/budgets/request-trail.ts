/**
 * Every request of one ingress by send time (compactly: send time, and its duration or -1 for a
 * failure), for time to impact and time to recover at request precision. Pure.
 *
 * The rule. The baseline's behaviour is its failure share f and its p99 latency L. A request
 * is *out of line* when it failed (or reached no server) or was slower than the slow mark
 * L + max(50 ms, L / 4): a busy machine or a GC pause moves a few requests just past L, and a
 * latency impact smaller than that margin is left to the budgets and the comparison. A stretch of
 * requests is *within the baseline* when its out-of-line count is no more than the baseline
 * would give by chance: n·s + 3·√(n·s·(1−s)) + 1, where s = f + 0.01 (the 1 % above p99). So
 * one slow or failed request, which the baseline also shows now and then, is not impact.
 *
 * - Time to impact: from the fault's converged time to the send time of the first out-of-line
 *   request, sent after the fault's API call, whose stretch (one window long, from it) is not
 *   within the baseline. Negative when the data plane had it before convergence was observed.
 * - Time to recover: from the revert's converged time to the send time of the first in-line
 *   request, sent after the revert's API call, that starts a stretch of N windows within the
 *   baseline, wholly observed. Negative when traffic was back before convergence was observed.
 */
export interface Baseline {
  failureShare: number;
  p99Ms: number;
}

/** `not-measured`: no fault was applied or reverted, or there was no baseline to compare with. */
/** Slower than this is out of line: the baseline's p99 plus 50 ms or a quarter of it, whichever is more. */
function slowMarkMs(baseline: Baseline): number {
  return baseline.p99Ms + Math.max(50, baseline.p99Ms / 4);
}

export type TimeTo =
  { kind: 'measured'; ms: number } | { kind: 'not-impacted' } | { kind: 'never-recovered' } | { kind: 'not-measured' };

export class RequestTrail {
  private sent = new Float64Array(1024);
  private outcome = new Float64Array(1024);
  private length = 0;
  private sorted = true;

  add(sentMs: number, durationMs: number, failed: boolean): void {
    if (this.length === this.sent.length) this.grow();
    if (this.length > 0 && sentMs < this.sent[this.length - 1]!) this.sorted = false;
    this.sent[this.length] = sentMs;
    this.outcome[this.length] = failed ? -1 : durationMs;
    this.length += 1;
  }

  get size(): number {
    return this.length;
  }

  /** Requests by send time, each out of line (true) or not, from `fromMs` to `untilMs`. */
  requests(baseline: Baseline, fromMs: number, untilMs: number): Array<{ sentMs: number; out: boolean }> {
    this.sort();
    const list: Array<{ sentMs: number; out: boolean }> = [];
    const slowMs = slowMarkMs(baseline);
    for (let i = 0; i < this.length; i += 1) {
      const sentMs = this.sent[i]!;
      if (sentMs < fromMs || sentMs >= untilMs) continue;
      const outcome = this.outcome[i]!;
      list.push({ sentMs, out: outcome < 0 || outcome > slowMs });
    }
    return list;
  }

  private grow(): void {
    const sent = new Float64Array(this.sent.length * 2);
    sent.set(this.sent);
    const outcome = new Float64Array(this.outcome.length * 2);
    outcome.set(this.outcome);
    this.sent = sent;
    this.outcome = outcome;
  }

  private sort(): void {
    if (this.sorted) return;
    const order = [...Array(this.length).keys()].sort((a, b) => this.sent[a]! - this.sent[b]!);
    this.sent = Float64Array.from(order, (i) => this.sent[i]!);
    this.outcome = Float64Array.from(order, (i) => this.outcome[i]!);
    this.sorted = true;
  }
}

/** The most out-of-line requests among n that the baseline would give by chance. */
function allowedOutOfLine(n: number, baseline: Baseline): number {
  const s = Math.min(1, baseline.failureShare + 0.01);
  return n * s + 3 * Math.sqrt(n * s * (1 - s)) + 1;
}

type Request = { sentMs: number; out: boolean };

/** Requests sent in [from, from + span): how many, and how many out of line. */
function stretch(list: readonly Request[], start: number, spanMs: number): { n: number; out: number } {
  const end = list[start]!.sentMs + spanMs;
  let n = 0;
  let out = 0;
  for (let i = start; i < list.length && list[i]!.sentMs < end; i += 1) {
    n += 1;
    if (list[i]!.out) out += 1;
  }
  return { n, out };
}

export function timeToImpact(
  list: readonly Request[],
  baseline: Baseline,
  convergedMs: number,
  windowMs: number,
): TimeTo {
  for (let i = 0; i < list.length; i += 1) {
    if (!list[i]!.out) continue;
    const { n, out } = stretch(list, i, windowMs);
    if (out > allowedOutOfLine(n, baseline)) return { kind: 'measured', ms: list[i]!.sentMs - convergedMs };
  }
  return { kind: 'not-impacted' };
}

/** `observedUntilMs`: the end of the data; a stretch must end by then to count. */
export function timeToRecover(
  list: readonly Request[],
  baseline: Baseline,
  convergedMs: number,
  stretchMs: number,
  observedUntilMs: number,
): TimeTo {
  for (let i = 0; i < list.length; i += 1) {
    if (list[i]!.out) continue;
    if (list[i]!.sentMs + stretchMs > observedUntilMs) break;
    const { n, out } = stretch(list, i, stretchMs);
    if (out <= allowedOutOfLine(n, baseline)) return { kind: 'measured', ms: list[i]!.sentMs - convergedMs };
  }
  return { kind: 'never-recovered' };
}
