/**
 * What happens during a run, as events: the console renders them, the result records them.
 * Times are milliseconds on the machine clock, the same clock k6 stamps samples with.
 */
import type { WindowSummary } from '../budgets/ledger.js';

export type RunEvent =
  | { type: 'run-started'; atMs: number; runId: string; scenario: string; environment: string; runDir: string }
  | { type: 'load-started'; atMs: number; ingresses: Record<string, string> }
  | { type: 'phase-started'; atMs: number; phase: string; plannedMs: number }
  | { type: 'fault-applied'; atMs: number; phase: string; faultId: string; cluster: string; effectiveAtMs: number }
  | { type: 'fault-reverted'; atMs: number; phase: string; faultId: string; cluster: string }
  | { type: 'window'; atMs: number; window: WindowSummary }
  | { type: 'abort'; atMs: number; reason: string; windowEndMs?: number }
  | { type: 'revert-all'; atMs: number; reason: string; finishedAtMs: number; failures: string[] }
  | { type: 'k6-ended'; atMs: number; end: string }
  | { type: 'log'; atMs: number; level: 'info' | 'warn' | 'error'; message: string }
  /** Game day: a facilitator's note on the timeline (journaled as a `note` entry). */
  | { type: 'note'; atMs: number; text: string; author?: string };

export type RunEventSink = (event: RunEvent) => void;
