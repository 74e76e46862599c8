/**
 * A game day holding a step pushes its faults' chaos.dev/expires ahead, on the objects (the lab's
 * API), so a guard — which honours expiry even with a renewed Lease — leaves a held step alone.
 */
import { expect } from 'chai';
import { annotation } from '../../src/faults/annotations.js';
import type { FaultDriver } from '../../src/run/session/fault-driver.js';
import { createRunControl, openPhaseGate } from '../../src/run/timeline/run-control.js';
import type { Fault } from '../../src/scenario/types.js';
import { labServer, type FaultTestServer } from '../faults/support/servers.js';
import { openTestSession, phaseOf } from '../faults/support/session.js';
import { waitFor } from '../support/wait.js';

const scale: Fault = {
  id: 'zero',
  type: 'scale',
  clusters: { kind: 'named', names: ['central'] },
  kind: 'Deployment',
  name: 'frontend',
  replicas: 0,
  allowDataLoss: false,
};

describe('game-day hold: the expiry of held faults moves on', function () {
  this.timeout(120_000);
  let server: FaultTestServer;
  before(async () => {
    server = await labServer.start();
  });
  after(async () => server?.stop());
  /** chaos.dev/expires on central's frontend, as the API has it. */
  const read = async () =>
    Date.parse(
      (await server.apis.get('central')!.readWorkload('Deployment', server.namespace, 'frontend')).metadata
        ?.annotations?.[annotation.expires] ?? '',
    );

  it('extendExpiry writes now + held time + the 5 min margin onto the scaled Deployment', async () => {
    const test = await openTestSession(server);
    try {
      const phase = phaseOf(server, test.runId, [scale], 'fault', 1_000);
      await test.session.apply(phase);
      const before = Date.now();
      // Applied with a 1 s phase: expires within 1 s + 300 s of now.
      expect(await read()).to.be.at.most(before + 301_000);
      expect(await test.session.extendExpiry('fault', 600_000)).to.deep.equal([]);
      // Held for 600 s more: at least now + 600 s + 300 s.
      expect(await read()).to.be.at.least(before + 900_000);
    } finally {
      await test.session.revertAll('test end');
      await test.close();
    }
  });

  it('a hold never shortens an expiry: a 30-minute phase keeps its planned end + margin after a 2-minute hold', async () => {
    const test = await openTestSession(server);
    try {
      const phase = phaseOf(server, test.runId, [scale], 'fault', 1_800_000);
      const before = Date.now();
      await test.session.apply(phase);
      // Planned: the phase's 1800 s + the 300 s margin from the apply on.
      const planned = await read();
      expect(planned).to.be.at.least(before + 2_100_000);
      expect(await test.session.extendExpiry('fault', 120_000)).to.deep.equal([]);
      // now + 120 s + 300 s is earlier than the planned end: the expiry stays where it was.
      expect(await read()).to.equal(planned);
    } finally {
      await test.session.revertAll('test end');
      await test.close();
    }
  });

  it('the phase gate asks the driver to extend, again and again, while the phase is held', async () => {
    const asked: number[] = [];
    const driver: FaultDriver = {
      apply: async () => [],
      revert: async () => [],
      revertAll: async () => ({
        reason: '',
        startedAtMs: 0,
        finishedAtMs: 0,
        reverted: [],
        failures: [],
        unverified: [],
      }),
      extendExpiry: async (_phase, forMs) => {
        asked.push(forMs);
        return [];
      },
    };
    const control = createRunControl();
    const gate = openPhaseGate({
      control,
      driver,
      emit: () => undefined,
      now: Date.now,
      abort: () => undefined,
      onReverted: () => undefined,
      afterApply: async () => undefined,
      holdRenewMs: 20,
    });
    gate.enter({ name: 'fault', startMs: 0, durationMs: 0, faults: [] });
    control.send({ kind: 'hold' });
    const ended = gate.waitForEnd(Date.now() - 1, new AbortController().signal);
    await waitFor(() => asked.length >= 3, { timeoutMs: 10_000, what: 'three renewals while held' });
    control.send({ kind: 'next' });
    await ended;
    gate.close();
    expect(new Set(asked)).to.deep.equal(new Set([40]));
  });
});
