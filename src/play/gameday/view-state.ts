/**
 * What the game-day screen shows, folded from run events (pure): the phase and its timer, each
 * fault's state, a short series of windows per ingress (rate, errors, p95, and who served it:
 * the newest window's shares and the remote share over time), the notes, the recent events and
 * the facilitator's own state (held, typing a note, confirming an abort).
 */
import { remoteShare, type ServedCounts } from '../../report/served-by-shares.js';
import type { RunEvent } from '../../run/record/run-events.js';

type FaultState = 'planned' | 'applied' | 'reverted' | 'failed';

interface IngressSeries {
  ingress: string;
  /** Newest last; bounded by `maxPoints`. */
  rate: number[];
  errorRate: Array<number | null>;
  p95: Array<number | null>;
  /** Share (0..1) answered by another cluster than the ingress's own; null: no known server. */
  remote: Array<number | null>;
  /** Who served the newest window. */
  served?: ServedCounts;
}

export interface ViewState {
  title: string;
  runId: string;
  startedAtMs: number;
  /** The environment's cluster names (what "remote" is measured against; an ingress is named after its cluster). */
  clusters: string[];
  phases: Array<{ name: string; plannedMs: number; faults: string[] }>;
  phase?: { name: string; index: number; startedAtMs: number; plannedMs: number };
  faults: Map<string, { label: string; state: FaultState; atMs?: number; detail?: string }>;
  ingresses: Map<string, IngressSeries>;
  notes: Array<{ atMs: number; text: string }>;
  events: Array<{ atMs: number; text: string }>;
  held: boolean;
  /** Text typed so far while writing a note; undefined when not typing. */
  draft?: { startedAtMs: number; text: string };
  confirmAbort: boolean;
  stoppedAll: boolean;
  ended?: string;
}

const maxPoints = 60;
const maxEvents = 6;

export function createViewState(input: {
  title: string;
  runId: string;
  startedAtMs: number;
  phases: ViewState['phases'];
  ingresses: readonly string[];
  clusters: readonly string[];
}): ViewState {
  const faults = new Map<string, { label: string; state: FaultState }>();
  for (const phase of input.phases) for (const label of phase.faults) faults.set(label, { label, state: 'planned' });
  return {
    title: input.title,
    runId: input.runId,
    startedAtMs: input.startedAtMs,
    clusters: [...input.clusters],
    phases: input.phases,
    faults,
    ingresses: new Map(
      input.ingresses.map((ingress) => [ingress, { ingress, rate: [], errorRate: [], p95: [], remote: [] }]),
    ),
    notes: [],
    events: [],
    held: false,
    confirmAbort: false,
    stoppedAll: false,
  };
}

const push = <T>(list: T[], value: T, max: number) => {
  list.push(value);
  if (list.length > max) list.splice(0, list.length - max);
};

function remember(state: ViewState, atMs: number, text: string): void {
  push(state.events, { atMs, text }, maxEvents);
}

export function applyEvent(state: ViewState, event: RunEvent): void {
  switch (event.type) {
    case 'phase-started': {
      const index = state.phases.findIndex((phase) => phase.name === event.phase);
      state.phase = { name: event.phase, index, startedAtMs: event.atMs, plannedMs: event.plannedMs };
      state.held = false;
      remember(state, event.atMs, `phase ${event.phase} started`);
      return;
    }
    case 'fault-applied': {
      const label = `${event.faultId}@${event.cluster}`;
      state.faults.set(label, {
        label,
        state: 'applied',
        atMs: event.atMs,
        detail: `effective after ${((event.effectiveAtMs - event.atMs) / 1000).toFixed(1)}s`,
      });
      remember(state, event.atMs, `fault ${label} applied`);
      return;
    }
    case 'fault-reverted': {
      const label = `${event.faultId}@${event.cluster}`;
      state.faults.set(label, { label, state: 'reverted', atMs: event.atMs });
      remember(state, event.atMs, `fault ${label} reverted`);
      return;
    }
    case 'window': {
      const series = state.ingresses.get(event.window.ingress);
      if (!series) return;
      const seconds = (event.window.endMs - event.window.startMs) / 1000;
      push(series.rate, event.window.requests / seconds, maxPoints);
      push(series.errorRate, event.window.errorRate, maxPoints);
      push(series.p95, event.window.p95, maxPoints);
      push(series.remote, remoteShare(series.ingress, event.window, state.clusters), maxPoints);
      series.served = { requests: event.window.requests, servedBy: event.window.servedBy };
      return;
    }
    case 'note':
      state.notes.push({ atMs: event.atMs, text: event.text });
      remember(state, event.atMs, `note: ${event.text}`);
      return;
    case 'abort':
      remember(state, event.atMs, `ABORT: ${event.reason}`);
      return;
    case 'revert-all':
      for (const fault of state.faults.values()) if (fault.state === 'applied') fault.state = 'reverted';
      remember(
        state,
        event.atMs,
        `revert everything (${event.reason})${event.failures.length ? `: NOT reverted ${event.failures.join('; ')}` : ''}`,
      );
      return;
    case 'log':
      if (event.message.startsWith('facilitator: ') || event.level !== 'info')
        remember(state, event.atMs, event.message);
      return;
    case 'k6-ended':
      state.ended = event.end;
      return;
    case 'run-started':
    case 'load-started':
      remember(state, event.atMs, event.type === 'run-started' ? 'run started' : 'load flowing');
      return;
  }
}
