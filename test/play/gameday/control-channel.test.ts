/**
 * The timeline's control channel (game days), with a fake load (samples made up on the spot)
 * and a recording fault driver: next, hold, revert, the big red key, abort and notes.
 * Assertions are about order and outcome, never about how long anything took.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labEnvironment } from '../../../src/environment/lab-environment.js';
import type { K6Run } from '../../../src/load/k6-run.js';
import type { LoadSample } from '../../../src/budgets/sample.js';
import { buildPlan, type PlannedPhase, type RunPlan } from '../../../src/run/plan/build-plan.js';
import { executeRun, type RunDeps } from '../../../src/run/timeline/execute-run.js';
import type { FaultDriver } from '../../../src/run/session/fault-driver.js';
import { createRunControl, type RunCommand } from '../../../src/run/timeline/run-control.js';
import type { RunEvent } from '../../../src/run/record/run-events.js';
import { parseYamlSource } from '../../../src/input/yaml-source.js';
import { validateScenario } from '../../../src/scenario/validate-scenario.js';

const scenarioYaml = `
name: control
description: three steps with a fault each in the middle
load: { rate: 50, paths: [/] }
steps:
  - { name: baseline, duration: 2s }
  - name: first
    duration: 60s
    faults: [{ type: scale, cluster: central, name: frontend, replicas: 0 }]
  - name: second
    duration: 60s
    faults: [{ type: scale, cluster: west, name: frontend, replicas: 0 }]
  - { name: recovery, duration: 1s }
budgets: { all: { http_req_failed: rate<=1 } }
`;

function planOf(yaml: string): RunPlan {
  const scenario = validateScenario(parseYamlSource('control.yaml', yaml), {
    name: 'lab',
    clusters: ['central', 'west'],
  });
  return buildPlan(scenario, labEnvironment(), 'rtest');
}

/** A load that makes one passing sample per ingress every poll, stamped now. */
function fakeLoad(options: Parameters<NonNullable<RunDeps['startLoad']>>[0]): K6Run {
  let stopped = false;
  let resolveEnd: (value: Awaited<K6Run['ended']>) => void = () => undefined;
  const ended = new Promise<Awaited<K6Run['ended']>>((resolve) => {
    resolveEnd = resolve;
  });
  const stop = () => {
    if (stopped) return;
    stopped = true;
    resolveEnd({
      end: { kind: 'stopped' },
      result: { exitCode: 105, signal: null, stdout: '', stderr: '' } as Awaited<K6Run['ended']>['result'],
    });
  };
  return {
    pid: undefined,
    samples: {
      poll: () => {
        if (stopped) return 0;
        for (const ingress of options.config.ingresses) {
          const sample: LoadSample = {
            kind: 'request',
            timeMs: Date.now(),
            sentMs: Date.now() - 1,
            reached: true,
            ingress: ingress.name,
            servedBy: ingress.name,
            status: 200,
            path: '/',
            failed: false,
            durationMs: 5,
          };
          options.onSample(sample);
        }
        return 1;
      },
      close: () => undefined,
      bytesRead: () => 0,
    },
    stop,
    kill: stop,
    ended,
  };
}

interface DriverLog {
  calls: string[];
}

/** A driver that records calls and, like the real fault session, announces each fault itself. */
function recordingDriver(log: DriverLog, emit: (event: RunEvent) => void): FaultDriver {
  const applied = new Set<string>();
  return {
    apply: async (phase: PlannedPhase) => {
      log.calls.push(`apply ${phase.name}`);
      applied.add(phase.name);
      const at = Date.now();
      const records = phase.faults.flatMap(({ fault, targets }) =>
        targets.map((t) => ({
          phase: phase.name,
          faultId: fault.id,
          type: fault.type,
          cluster: t.cluster,
          appliedAtMs: at,
          effectiveAtMs: at,
          mutations: [],
        })),
      );
      for (const r of records)
        emit({
          type: 'fault-applied',
          atMs: at,
          phase: phase.name,
          faultId: r.faultId,
          cluster: r.cluster,
          effectiveAtMs: at,
        });
      return records;
    },
    revert: async (phase: PlannedPhase) => {
      log.calls.push(`revert ${phase.name}`);
      applied.delete(phase.name);
      const at = Date.now();
      const records = phase.faults.flatMap(({ fault, targets }) =>
        targets.map((t) => ({
          phase: phase.name,
          faultId: fault.id,
          cluster: t.cluster,
          revertedAtMs: at,
          outcomes: [],
          notes: [],
        })),
      );
      for (const r of records)
        emit({ type: 'fault-reverted', atMs: at, phase: phase.name, faultId: r.faultId, cluster: r.cluster, ok: true });
      return records;
    },
    revertAll: async (reason = 'revert all') => {
      log.calls.push(`revertAll ${[...applied].join(',') || '-'} (${reason})`);
      const at = Date.now();
      const reverted = [...applied].map((phase) => ({
        phase,
        faultId: phase,
        cluster: 'any',
        revertedAtMs: at,
        outcomes: [],
        notes: [],
      }));
      for (const r of reverted)
        emit({ type: 'fault-reverted', atMs: at, phase: r.phase, faultId: r.faultId, cluster: r.cluster, ok: true });
      applied.clear();
      return { reason, startedAtMs: at, finishedAtMs: at, reverted, failures: [], unverified: [] };
    },
  };
}

describe('game day: the control channel of the timeline', function () {
  this.timeout(30_000);
  let runDir: string;
  beforeEach(() => {
    runDir = mkdtempSync(path.join(tmpdir(), 'chaos-control-'));
  });
  afterEach(() => rmSync(runDir, { recursive: true, force: true }));

  /** Runs the plan; `script` reacts to events by sending commands (as a facilitator would). */
  async function runWith(plan: RunPlan, script: (event: RunEvent, send: (command: RunCommand) => void) => void) {
    const control = createRunControl();
    const events: RunEvent[] = [];
    const log: DriverLog = { calls: [] };
    const emit = (event: RunEvent) => {
      events.push(event);
      queueMicrotask(() => script(event, control.send));
    };
    const record = await executeRun(plan, {
      k6: { path: 'k6', version: 'v2.2.0', source: 'PATH' },
      driver: recordingDriver(log, emit),
      ingressUrls: { central: 'http://127.0.0.11:8080', west: 'http://127.0.0.12:8080' },
      runDir,
      emit,
      interrupt: new AbortController().signal,
      hurry: new AbortController().signal,
      control,
      startLoad: fakeLoad,
    });
    return { record, events, calls: log.calls };
  }

  const phasesStarted = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'phase-started' ? [e.phase] : []));

  it('next ends a phase early (its faults reverted) and starts the next, applying its faults; notes land as note events', async () => {
    const { record, events, calls } = await runWith(planOf(scenarioYaml), (event, send) => {
      if (event.type === 'fault-applied' && event.phase === 'first') {
        send({ kind: 'note', text: 'central frontend is down, watching west' });
        send({ kind: 'next' });
      }
      if (event.type === 'fault-applied' && event.phase === 'second') send({ kind: 'next' });
    });
    expect(record.stop).to.deep.equal({ kind: 'completed' });
    expect(phasesStarted(events)).to.deep.equal(['baseline', 'first', 'second', 'recovery']);
    expect(calls.slice(0, 4)).to.deep.equal(['apply first', 'revert first', 'apply second', 'revert second']);
    const note = events.find((e) => e.type === 'note');
    expect(note).to.include({ text: 'central frontend is down, watching west' });
    const firstStart = events.find((e) => e.type === 'phase-started' && e.phase === 'first')!.atMs;
    const secondStart = events.find((e) => e.type === 'phase-started' && e.phase === 'second')!.atMs;
    expect(note!.atMs).to.be.within(firstStart, secondStart);
    expect(events.some((e) => e.type === 'log' && e.message.startsWith('facilitator: next'))).to.equal(true);
  });

  it('hold keeps a phase past its planned end until next', async () => {
    const short = scenarioYaml.replace('duration: 2s', 'duration: 300ms');
    let windowsWhileHeld = 0;
    let nextSentAtMs: number | undefined;
    const { record, events } = await runWith(planOf(short), (event, send) => {
      if (event.type === 'phase-started' && event.phase === 'baseline') send({ kind: 'hold' });
      // Held well past its 300 ms: windows keep closing in the baseline, then the facilitator moves on.
      if (event.type === 'window' && event.window.phase === 'baseline') {
        windowsWhileHeld += 1;
        if (windowsWhileHeld === 4) {
          nextSentAtMs = Date.now();
          send({ kind: 'next' });
        }
      }
      if (event.type === 'fault-applied') send({ kind: 'abort' });
    });
    const baseline = record.ledger.phaseList().find((p) => p.name === 'baseline')!;
    // An order of events, not a duration: the baseline ended only once next was sent (four of its
    // windows had closed by then); without the hold it would have ended at its planned 300 ms, first.
    expect(nextSentAtMs, 'four baseline windows closed while held').to.not.equal(undefined);
    expect(baseline.endMs!, 'the baseline ended by next, not by its plan').to.be.at.least(nextSentAtMs!);
    expect(phasesStarted(events)).to.deep.equal(['baseline', 'first']);
    expect(record.stop).to.deep.equal({ kind: 'interrupted', reason: 'aborted by the facilitator' });
  });

  it("revert reverts the current phase's faults at once; the phase goes on and is not reverted twice", async () => {
    const { calls, record, events } = await runWith(planOf(scenarioYaml), (event, send) => {
      if (event.type === 'fault-applied' && event.phase === 'first') send({ kind: 'revert' });
      if (event.type === 'fault-reverted' && event.phase === 'first') send({ kind: 'next' });
      if (event.type === 'fault-applied' && event.phase === 'second') send({ kind: 'abort' });
    });
    expect(calls.filter((c) => c === 'revert first')).to.have.length(1);
    expect(record.reverted.filter((r) => r.faultId === 'scale-1')).to.have.length(1);
    // The revert by command is a transition, as a planned one is: the phase is judged until it
    // started, and the span from its call to its converged revert belongs to no phase.
    const spans = record.ledger.transitionList().map((span) => `${span.name}`);
    expect(spans).to.deep.equal(['first:apply', 'first:revert', 'second:apply']);
    const revert = record.ledger.transitionList().find((span) => span.name === 'first:revert')!;
    const first = record.ledger.phaseList().find((span) => span.name === 'first')!;
    expect(first.endMs).to.equal(revert.startMs);
    // It ends where the revert converged, before the facilitator moved on; the next step's apply
    // transition starts with that step.
    const secondStart = events.find((e) => e.type === 'phase-started' && e.phase === 'second')!.atMs;
    expect(revert.endMs).to.be.at.most(secondStart);
    expect(record.ledger.transitionList().find((span) => span.name === 'second:apply')!.startMs).to.equal(secondStart);
  });

  it('the big red key reverts everything at once and no later fault is applied; the run completes', async () => {
    const { calls, events, record } = await runWith(planOf(scenarioYaml), (event, send) => {
      if (event.type === 'fault-applied' && event.phase === 'first') send({ kind: 'revert-all' });
      if (event.type === 'revert-all' && event.reason.includes('big red key')) send({ kind: 'next' });
      if (event.type === 'phase-started' && event.phase === 'second') send({ kind: 'next' });
    });
    expect(record.stop).to.deep.equal({ kind: 'completed' });
    expect(calls[0]).to.equal('apply first');
    expect(calls[1]).to.match(/^revertAll first \(the facilitator reverted everything/);
    expect(calls).not.to.include('apply second');
    expect(phasesStarted(events)).to.deep.equal(['baseline', 'first', 'second', 'recovery']);
    // The big red key's revert is the first phase's revert transition; no later phase has faults.
    expect(record.ledger.transitionList().map((span) => span.name)).to.deep.equal(['first:apply', 'first:revert']);
  });

  it('abort stops the run as interrupted and reverts what is applied', async () => {
    const { calls, record } = await runWith(planOf(scenarioYaml), (event, send) => {
      if (event.type === 'fault-applied' && event.phase === 'first') send({ kind: 'abort' });
    });
    expect(record.stop).to.deep.equal({ kind: 'interrupted', reason: 'aborted by the facilitator' });
    expect(calls).to.deep.equal(['apply first', 'revertAll first (aborted by the facilitator)']);
  });
});
