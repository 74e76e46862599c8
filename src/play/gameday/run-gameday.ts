/**
 * `chaos gameday <scenario>` (and `chaos run --interactive`): the run of one scenario with a
 * full-screen live view and the facilitator at the controls. Keys become commands on the
 * run's control channel; notes go to the journal (and so to report.html's timeline) with the
 * time their writing began; after the run, `gameday.md` lists the real step times and notes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors/errors.js';
import { watchInterrupts } from '../../system/signals.js';
import type { CliIo } from '../../system/io.js';
import { runScenario, type RunOptions } from '../run-scenario.js';
import type { RunSettings } from '../scenario-run/run-settings.js';
import { journalFileName, readJournal } from '../../run/record/journal.js';
import { createRunControl } from '../../run/timeline/run-control.js';
import type { RunPlan } from '../../run/plan/build-plan.js';
import { renderTimeline } from './render-timeline.js';
import { renderView } from './render-view.js';
import { openTerminal, type Key, type TerminalStreams } from './terminal.js';
import { applyEvent, createViewState, type ViewState } from './view-state.js';

export interface GamedayDeps {
  /** The terminal to take over; default: this process's stdin and stdout. */
  streams?: TerminalStreams;
}

/** A held phase may last this long past the planned timeline before k6 itself stops. */
const gamedaySlackSeconds = 4 * 3600;
const gamedayFileName = 'gameday.md';

function stateFor(plan: RunPlan, startedAtMs: number): ViewState {
  return createViewState({
    title: `${plan.scenario.name} on ${plan.environment.name}`,
    runId: plan.runId,
    startedAtMs,
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      plannedMs: phase.durationMs,
      faults: phase.faults.flatMap(({ fault, targets }) => targets.map((t) => `${fault.id}@${t.cluster}`)),
    })),
    ingresses: plan.load.map((load) => load.ingress),
    clusters: plan.environment.clusters.map((cluster) => cluster.name),
  });
}

export async function runGameday(
  refs: readonly string[],
  options: RunOptions,
  io: CliIo,
  settings: RunSettings,
  deps: GamedayDeps = {},
): Promise<number> {
  if (refs.length !== 1)
    throw new InputError(
      `a game day runs one scenario (got ${refs.length})`,
      [],
      'run a suite unattended with chaos run <suite>',
    );
  if (!io.isTty) {
    throw new InputError(
      'a game day needs an interactive terminal, and this is not one (or CI=true is set)',
      [],
      'run it from a terminal; in CI use chaos run, which never asks and prints plain text',
    );
  }
  const control = createRunControl();
  let state: ViewState | undefined;
  // The terminal is raw, so Ctrl-C arrives as a key: it is the same interruption as SIGINT.
  const interruption = watchInterrupts({ notify: () => undefined });
  const keyToCommand = (key: Key) => {
    if (key.ctrl && key.name === 'c') interruption.raise('SIGINT');
    else if (state) commandFromKey(key, state, control);
  };
  const terminal = openTerminal(deps.streams ?? { input: process.stdin, output: process.stdout }, (key) => {
    keyToCommand(key);
    paint();
  });
  const paint = () => {
    if (state) terminal.paint(renderView(state, Date.now(), terminal.width, terminal.height, { color: io.color }));
    else terminal.paint(['chaos game day — starting: preflight checks, the environment lock, load…']);
  };
  const repaint = setInterval(paint, 250);
  paint();
  let runDir: string | undefined;
  try {
    const run = await runScenario(refs[0]!, { ...options, quiet: true, output: 'text' }, io, settings, {
      onRunDir: (dir) => {
        runDir = dir;
      },
      control,
      interruption,
      loadSlackSeconds: gamedaySlackSeconds,
      onEvent: (event, plan) => {
        if (event.type === 'run-started') state = stateFor(plan, event.atMs);
        if (!state) return;
        applyEvent(state, event);
        if (event.type === 'window') return;
        paint();
        // The timeline is over: give the terminal back before the verdict is printed.
        if (event.type === 'k6-ended') {
          clearInterval(repaint);
          terminal.close();
        }
      },
    });
    const journal = await readJournal(path.join(run.runDir, journalFileName));
    const file = path.join(run.runDir, gamedayFileName);
    writeFileSync(
      file,
      renderTimeline(journal.entries, run.result.outcome, {
        windows: run.result.windows,
        clusters: run.result.environment.clusters.map((cluster) => cluster.name),
      }),
    );
    io.out(`game day timeline: ${path.relative(io.cwd, file)}`);
    return run.exitCode;
  } finally {
    interruption.dispose();
    clearInterval(repaint);
    terminal.close();
    if (runDir === undefined) io.err('the game day ended before the run started');
  }
}

/**
 * One key of the game-day view: while a note is being typed, keys edit it (Enter sends, Esc
 * drops); after `q`, only a second `q` aborts; otherwise n(ext), h(old), r(evert), X (revert
 * everything), m or : (note), q (abort, asks again).
 */
type ControlChannel = ReturnType<typeof createRunControl>;

function commandFromKey(key: Key, state: ViewState, control: ControlChannel): void {
  if (state.draft) {
    editDraft(key, state, control);
    return;
  }
  if (state.confirmAbort) {
    state.confirmAbort = false;
    if (key.text === 'q') control.send({ kind: 'abort' });
    return;
  }
  switch (key.text) {
    case 'n':
      return control.send({ kind: 'next' });
    case 'h':
      state.held = !state.held;
      return control.send({ kind: 'hold' });
    case 'r':
      return control.send({ kind: 'revert' });
    case 'X':
      state.stoppedAll = true;
      return control.send({ kind: 'revert-all' });
    case 'm':
    case ':':
      state.draft = { startedAtMs: Date.now(), text: '' };
      return;
    case 'q':
      state.confirmAbort = true;
      return;
  }
}

function editDraft(key: Key, state: ViewState, control: ControlChannel): void {
  const draft = state.draft!;
  if (key.name === 'return' || key.name === 'enter') {
    const text = draft.text.trim();
    if (text) control.send({ kind: 'note', text, atMs: draft.startedAtMs });
    state.draft = undefined;
  } else if (key.name === 'escape') state.draft = undefined;
  else if (key.name === 'backspace') draft.text = draft.text.slice(0, -1);
  else if (key.text) draft.text += key.text;
}
