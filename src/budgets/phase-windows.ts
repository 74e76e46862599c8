/**
 * The windows of the baseline comparison: each phase × ingress cut into windows of `windows.size`
 * from the phase's own start, a request placed by its send time, so a window never mixes phases
 * (the run's live windows, aligned to the run's start and closed by end time for abort limits,
 * do). Each window gives its median and p95 (k6's percentiles of its timed requests): the units
 * of the claim (compare.ts). A last window shorter than half a window is left out: a handful of
 * requests is not a window's worth. Memory: 8 bytes a timed request, like the phase statistics.
 */
import { ValueList, k6Percentile } from './stats.js';
import type { WindowStatistics } from './compare.js';

export class PhaseWindows {
  private readonly byPhase = new Map<string, Map<number, ValueList>>();

  constructor(private readonly windowMs: number) {}

  /** A timed request of `phase` (which started at `phaseStartMs`) on `ingress`, sent at `sentMs`. */
  add(phase: string, ingress: string, phaseStartMs: number, sentMs: number, durationMs: number): void {
    const key = `${phase}|${ingress}`;
    let windows = this.byPhase.get(key);
    if (!windows) this.byPhase.set(key, (windows = new Map()));
    const index = Math.floor((sentMs - phaseStartMs) / this.windowMs);
    let values = windows.get(index);
    if (!values) windows.set(index, (values = new ValueList()));
    values.push(durationMs);
  }

  /** Each window's p50 and p95, in time order, for a phase judged from `startMs` to `endMs`. */
  statistics(phase: { name: string; startMs: number; endMs?: number }, ingress: string): WindowStatistics {
    const windows = this.byPhase.get(`${phase.name}|${ingress}`);
    const p50: number[] = [];
    const p95: number[] = [];
    if (!windows) return { p50, p95 };
    const lengthMs = (phase.endMs ?? Infinity) - phase.startMs;
    for (const index of [...windows.keys()].sort((a, b) => a - b)) {
      const covered = Math.min(this.windowMs, lengthMs - index * this.windowMs);
      if (covered < this.windowMs / 2) continue;
      const sorted = windows.get(index)!.sortedValues();
      p50.push(k6Percentile(sorted, 50)!);
      p95.push(k6Percentile(sorted, 95)!);
    }
    return { p50, p95 };
  }
}
