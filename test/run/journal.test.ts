/** The write-ahead journal: durable ordered appends, tolerant reads, what is still pending. */
import { expect } from 'chai';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScaleMutation } from '../../src/faults/mutation.js';
import {
  findJournals,
  journalFileName,
  openJournal,
  pendingMutations,
  readJournal,
} from '../../src/run/record/journal.js';
import type { JournalEntry } from '../../src/run/record/run-events.js';

const mutation: ScaleMutation = {
  runId: 'r1',
  faultId: 'zero',
  cluster: 'central',
  expiresAt: '2030-01-01T00:00:00.000Z',
  kind: 'scale',
  namespace: 'bank',
  workload: 'Deployment',
  name: 'frontend',
  originalReplicas: 2,
  replicas: 0,
};

describe('journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends entries as JSON lines, in call order even when appends are not awaited one by one', async () => {
    const file = path.join(dir, 'run', journalFileName);
    const journal = await openJournal(file);
    const entries: JournalEntry[] = Array.from({ length: 50 }, (_, index) => ({
      type: 'log',
      atMs: index,
      level: 'info',
      message: `line ${index}`,
    }));
    await Promise.all(entries.map((entry) => journal.append(entry)));
    await journal.close();
    const reading = await readJournal(file);
    expect(reading.entries).to.deep.equal(entries);
    expect(reading.skipped).to.equal(0);
  });

  it('resolves an append only once the line is in the file (another reader sees it)', async () => {
    const file = path.join(dir, journalFileName);
    const journal = await openJournal(file);
    await journal.append({ type: 'mutation-intended', atMs: 1, id: 'zero@central#1', mutation });
    expect((await readJournal(file)).entries).to.have.length(1);
    await journal.close();
  });

  it('refuses appends after close, and close twice is harmless', async () => {
    const journal = await openJournal(path.join(dir, journalFileName));
    await journal.close();
    await journal.close();
    const error = await journal.append({ type: 'note', atMs: 1, text: 'late' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
  });

  it('skips a torn last line (a crash mid-write) and keeps everything before it', async () => {
    const file = path.join(dir, journalFileName);
    writeFileSync(file, `${JSON.stringify({ type: 'note', atMs: 1, text: 'ok' })}\n`);
    appendFileSync(file, '{"type":"mutation-intended","atMs":2,"id":"x","mut');
    const reading = await readJournal(file);
    expect(reading.entries.map((entry) => entry.type)).to.deep.equal(['note']);
    expect(reading.skipped).to.equal(1);
    // Reopened (e.g. by chaos recover): the next entry starts on a line of its own.
    const journal = await openJournal(file);
    await journal.append({
      type: 'mutation-reverted',
      atMs: 3,
      id: 'x',
      outcome: { status: 'absent', detail: 'gone' },
      by: 'recover',
    });
    await journal.close();
    expect((await readJournal(file)).entries.map((entry) => entry.type)).to.deep.equal(['note', 'mutation-reverted']);
  });

  it('lists as pending every intended mutation not recorded as reverted or absent, confirmed or not', () => {
    const entries: JournalEntry[] = [
      { type: 'mutation-intended', atMs: 1, id: 'a', mutation },
      { type: 'mutation-done', atMs: 2, id: 'a' },
      { type: 'mutation-intended', atMs: 3, id: 'b', mutation: { ...mutation, name: 'userservice' } },
      { type: 'mutation-intended', atMs: 4, id: 'c', mutation: { ...mutation, name: 'contacts' } },
      { type: 'mutation-reverted', atMs: 5, id: 'c', outcome: { status: 'reverted', detail: 'back' } },
      { type: 'mutation-intended', atMs: 6, id: 'd', mutation: { ...mutation, name: 'ledgerwriter' } },
      {
        type: 'mutation-reverted',
        atMs: 7,
        id: 'd',
        outcome: { status: 'conflict', detail: 'changed', manual: 'kubectl …' },
      },
    ];
    const pending = pendingMutations(entries);
    expect(pending.map((item) => [item.id, item.confirmed, item.lastOutcome?.status])).to.deep.equal([
      ['a', true, undefined],
      ['b', false, undefined],
      ['d', false, 'conflict'],
    ]);
  });

  it('finds the journals of run folders under reports/, oldest folder first', async () => {
    for (const folder of ['20260102-b', '20260101-a', 'no-journal']) mkdirSync(path.join(dir, folder));
    writeFileSync(path.join(dir, '20260102-b', journalFileName), '');
    writeFileSync(path.join(dir, '20260101-a', journalFileName), '');
    writeFileSync(path.join(dir, 'stray-file'), '');
    expect(await findJournals(dir)).to.deep.equal([
      path.join(dir, '20260101-a', journalFileName),
      path.join(dir, '20260102-b', journalFileName),
    ]);
    expect(await findJournals(path.join(dir, 'missing'))).to.deep.equal([]);
  });
});
