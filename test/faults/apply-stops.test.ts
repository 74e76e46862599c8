/**
 * An apply in progress stops at its next mutation when a signal or an abort limit arrives (the
 * apply's signal): a drain that has cordoned one node cordons no other, and revertAll undoes
 * exactly what was done. On the embedded lab.
 */
import { expect } from 'chai';
import path from 'node:path';
import { createFaultSession } from '../../src/run/session/fault-session.js';
import { journalFileName, openJournal, readJournal } from '../../src/run/record/journal.js';
import type { JournalEntry } from '../../src/run/record/run-events.js';
import type { Fault } from '../../src/scenario/types.js';
import { apiOf, labServer, type FaultTestServer } from './support/servers.js';
import { newRunId, phaseOf, testTiming, waitSettled } from './support/session.js';

const drain: Fault = {
  id: 'drain',
  type: 'drain',
  clusters: { kind: 'named', names: ['west'] },
  force: false,
  deleteEmptyDirData: false,
  allowDataLoss: false,
};

describe('an apply stops at its next mutation when its signal aborts (lab)', function () {
  this.timeout(180_000);
  let server: FaultTestServer;
  before(async function () {
    this.timeout(300_000);
    server = await labServer.start();
  });
  after(async () => {
    await server?.stop();
  });

  it('a drain interrupted after its first cordon cordons no other node; revertAll uncordons that one', async () => {
    const west = apiOf(server, 'west');
    await waitSettled(west, server.namespace);
    const nodes = await west.listNodes();
    expect(nodes.length, 'a drain with more than one node to cordon').to.be.greaterThan(1);
    const runId = newRunId();
    const file = path.join(server.dir, 'reports', `run-${runId}`, journalFileName);
    const journal = await openJournal(file);
    const interrupt = new AbortController();
    const session = createFaultSession({
      runId,
      apis: server.apis,
      timing: testTiming,
      journal: {
        // The signal arrives the moment the first change has landed.
        append: async (entry: JournalEntry) => {
          await journal.append(entry);
          if (entry.type === 'mutation-done') interrupt.abort('SIGINT');
        },
      },
    });
    const outcome = await session.apply(phaseOf(server, runId, [drain]), interrupt.signal).then(
      () => 'applied',
      (error: Error) => error.message,
    );
    expect(outcome).to.match(/could not apply/);
    const cordoned = (await west.listNodes()).filter((node) => node.spec?.unschedulable);
    expect(cordoned.map((node) => node.metadata?.name)).to.have.length(1);
    const entries = (await readJournal(file)).entries;
    expect(entries.filter((e) => e.type === 'mutation-intended')).to.have.length(1);
    const report = await session.revertAll('interrupted');
    expect(report.failures).to.deep.equal([]);
    expect((await west.listNodes()).filter((node) => node.spec?.unschedulable)).to.deep.equal([]);
    await journal.close();
  });
});
