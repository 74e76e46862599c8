/**
 * The game-day screen as text (pure): header, phase and timer, steps, fault states, a small
 * time plot per ingress of request rate, error rate and p95, who serves each ingress (the remote
 * share over time and the newest shares), notes, recent events, and the keys.
 * Plain ANSI (SGR colours only); the caller puts it on the alternate screen.
 */
import { describeServedBy } from '../../report/served-by-shares.js';
import { sparkline } from '../../report/sparkline.js';
import type { ViewState } from './view-state.js';

const esc = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
const bold = esc('1');
const dim = esc('2');
const red = esc('31');
const green = esc('32');
const yellow = esc('33');
const magenta = esc('35');
const cyan = esc('36');
const redKey = esc('1;97;41');

function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

const last = <T>(list: readonly T[]): T | undefined => list[list.length - 1];
const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '   -  ' : `${(value * 100).toFixed(1).padStart(5)}%`;
const millis = (value: number | null | undefined) =>
  value === null || value === undefined ? '    -' : `${Math.round(value)}`.padStart(5);
const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').length;
const clip = (text: string, width: number) =>
  visible(text) <= width ? text : text.replace(/\x1b\[[0-9;]*m/g, '').slice(0, Math.max(0, width - 1)) + '…';

/** Key, long label, short label (narrow terminals). */
const keyHelp = [
  ['n', 'next step', 'next'],
  ['h', 'hold / release', 'hold'],
  ['r', 'revert this step', 'revert step'],
  ['m', 'note', 'note'],
  ['q', 'abort', 'abort'],
] as const;

function keysLine(width: number): string {
  const wide = width >= 110;
  const keys = keyHelp
    .map(([key, long, short]) => `${bold(`[${key}]`)} ${wide ? long : short}`)
    .join(wide ? '  ' : ' ');
  return `${wide ? `${bold('KEYS')}  ` : ''}${redKey(' [X] REVERT EVERYTHING ')}${wide ? '  ' : ' '}${keys}`;
}

/** The screen without colours: NO_COLOR, or a terminal that has none. Layout is the same. */
export function renderView(
  state: ViewState,
  nowMs: number,
  width: number,
  height: number,
  options: { color?: boolean } = {},
): string[] {
  const lines = renderColoredView(state, nowMs, width, height);
  return options.color === false ? lines.map(stripColor) : lines;
}

/**
 * Who serves each ingress: a sparkline of the remote share (0 to 100 %, fixed scale: a full
 * block is every request answered by another cluster), its newest value, and the newest
 * window's shares per cluster, as `chaos run` prints them.
 */
function servedByLines(state: ViewState, plotWidth: number): string[] {
  const lines = [`${bold('SERVED BY'.padEnd(10))}${'remote share'.padEnd(plotWidth + 8)}now`];
  for (const series of state.ingresses.values()) {
    const remote = last(series.remote);
    const shares = series.served ? describeServedBy(series.served) : '';
    lines.push(
      `${series.ingress.padEnd(10)}${magenta(sparkline(series.remote, plotWidth, 1))} ` +
        `${remote === undefined || remote === null ? '     -' : `${Math.round(remote * 100)}%`.padStart(6)} ${shares || dim('-')}`,
    );
  }
  return lines;
}

const stripColor = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

function renderColoredView(state: ViewState, nowMs: number, width: number, height: number): string[] {
  const plotWidth = Math.max(10, Math.min(40, Math.floor((width - 40) / 3)));
  const lines: string[] = [];
  const elapsed = clock(nowMs - state.startedAtMs);
  lines.push(`${bold('chaos game day')} — ${state.title}`.padEnd(width - 20) + `run ${state.runId}  +${elapsed}`);
  lines.push('');

  const phase = state.phase;
  if (phase) {
    const inPhase = nowMs - phase.startedAtMs;
    const left = phase.plannedMs - inPhase;
    const timer = state.held
      ? yellow(`HELD  ${clock(inPhase)} (planned ${clock(phase.plannedMs)}) — n to go on, h to release`)
      : left >= 0
        ? `${clock(inPhase)} / ${clock(phase.plannedMs)}  (${clock(left)} left)`
        : `${clock(inPhase)} / ${clock(phase.plannedMs)}`;
    lines.push(`${bold('PHASE')}  ${cyan(phase.name)} (${phase.index + 1} of ${state.phases.length})   ${timer}`);
  } else lines.push(`${bold('PHASE')}  ${dim('waiting for the first requests…')}`);
  const steps = state.phases.map((p, index) => {
    if (!phase || index > phase.index) return dim(p.name);
    return index === phase.index ? bold(`[${p.name}]`) : green(`${p.name} ✓`);
  });
  lines.push(`${bold('STEPS')}  ${steps.join(' → ')}`);
  lines.push('');

  lines.push(bold('FAULTS'));
  if (state.faults.size === 0) lines.push(dim('  none in this scenario'));
  for (const fault of state.faults.values()) {
    const at = fault.atMs === undefined ? '' : ` at +${clock(fault.atMs - state.startedAtMs)}`;
    const tag =
      fault.state === 'applied'
        ? red('APPLIED ')
        : fault.state === 'reverted'
          ? green('reverted')
          : fault.state === 'failed'
            ? red('FAILED  ')
            : dim('planned ');
    lines.push(
      `  ${tag}  ${fault.label}${at}${fault.detail && fault.state === 'applied' ? dim(`  (${fault.detail})`) : ''}`,
    );
  }
  if (state.stoppedAll) lines.push(red('  every fault reverted by the big red key; no more are applied'));
  lines.push('');

  lines.push(
    `${bold('INGRESS'.padEnd(10))}${'requests/s'.padEnd(plotWidth + 8)}${'errors'.padEnd(plotWidth + 9)}p95 ms`,
  );
  for (const series of state.ingresses.values()) {
    const rate = last(series.rate);
    lines.push(
      `${series.ingress.padEnd(10)}${cyan(sparkline(series.rate, plotWidth, 1))} ${(rate === undefined ? '-' : rate.toFixed(1)).padStart(6)}` +
        ` ${red(sparkline(series.errorRate, plotWidth, 0.05))} ${percent(last(series.errorRate))}` +
        ` ${yellow(sparkline(series.p95, plotWidth, 50))} ${millis(last(series.p95))}`,
    );
  }
  lines.push('');
  lines.push(...servedByLines(state, plotWidth));
  lines.push('');

  lines.push(bold('NOTES'));
  const noteRoom = Math.max(1, height - lines.length - 12);
  for (const note of state.notes.slice(-noteRoom))
    lines.push(`  +${clock(note.atMs - state.startedAtMs)}  ${note.text}`);
  if (state.notes.length === 0) lines.push(dim('  (m to write one; it lands on the report timeline with its time)'));
  lines.push('');

  lines.push(bold('EVENTS'));
  for (const event of state.events) lines.push(dim(`  +${clock(event.atMs - state.startedAtMs)}  ${event.text}`));
  lines.push('');

  // The last line is always the keys (or the note being typed, or the abort question): on a small
  // terminal the events above it give way first.
  const footer = state.draft
    ? `${bold('NOTE')} +${clock(state.draft.startedAtMs - state.startedAtMs)} > ${state.draft.text}▏   ${dim('Enter saves, Esc cancels')}`
    : state.confirmAbort
      ? red(bold('Abort the run? Press q again to abort (faults are reverted, k6 stops); any other key goes on.'))
      : state.ended
        ? bold(`run ended (k6 ${state.ended}); writing the reports…`)
        : keysLine(width);
  return [...lines.slice(0, Math.max(0, height - 1)), footer].map((line) => clip(line, width));
}
