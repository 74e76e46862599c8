/** Which runs the guard reverts (judge-runs.ts), from the rule written out by hand for each case. */
import { expect } from 'chai';
import type { Mutation } from '../../src/faults/mutation.js';
import { holderRunId, judgeRuns, type LockView } from '../../src/guard/judge-runs.js';

const nowMs = Date.parse('2026-01-01T00:10:00Z');
const at = (seconds: number) => new Date(nowMs + seconds * 1000).toISOString();
const scale = (runId: string, expiresAt: string): Mutation => ({
  runId,
  faultId: 'scale-1',
  cluster: 'central',
  expiresAt,
  kind: 'scale',
  namespace: 'app',
  workload: 'Deployment',
  name: 'frontend',
  originalReplicas: 2,
  replicas: 0,
});
const lock = (runId: string, unchangedForSeconds: number, leaseSeconds = 30): LockView => ({
  holder: `${runId} me@host pid 1`,
  holderRunId: runId,
  leaseMs: leaseSeconds * 1000,
  unchangedSinceMs: nowMs - unchangedForSeconds * 1000,
});
const graceMs = 10_000;

describe('guard: which runs are reverted', () => {
  it('a run holding a Lease renewed recently, not expired, is live; the guard looks again when it could go quiet', () => {
    const judged = judgeRuns([scale('r1', at(300))], lock('r1', 5), graceMs, nowMs);
    expect(judged.runs.map((r) => r.deadBecause)).to.deep.equal([undefined]);
    // Seen unchanged since now-5 s: quiet at now-5+30+10 = now+35 s.
    expect(judged.nextCheckAtMs).to.equal(nowMs + 35_000);
  });

  it('a Lease unchanged for exactly its duration plus the grace (30 + 10 s) makes the run dead', () => {
    expect(judgeRuns([scale('r1', at(300))], lock('r1', 39.999), graceMs, nowMs).runs[0]!.deadBecause).to.equal(
      undefined,
    );
    expect(judgeRuns([scale('r1', at(300))], lock('r1', 40), graceMs, nowMs).runs[0]!.deadBecause).to.match(
      /not renewed for 40s \(duration 30s \+ grace 10s\)/,
    );
  });

  it('a passed chaos.dev/expires makes a run dead even with a fresh Lease (a hung harness)', () => {
    const [run] = judgeRuns([scale('r1', at(-1))], lock('r1', 0), graceMs, nowMs).runs;
    expect(run).to.include({ expired: true });
    expect(run!.deadBecause).to.match(/expires 2026-01-01T00:09:59.000Z has passed/);
  });

  it('a run that does not hold the lock (gone, released, or another holder) left its mutations behind', () => {
    expect(judgeRuns([scale('r1', at(300))], undefined, graceMs, nowMs).runs[0]!.deadBecause).to.match(/Lease is gone/);
    expect(judgeRuns([scale('r1', at(300))], lock('recover', 0), graceMs, nowMs).runs[0]!.deadBecause).to.match(
      /held by recover me@host/,
    );
  });

  it('runs are judged apart: one live, one dead in the same cluster', () => {
    const judged = judgeRuns([scale('r1', at(300)), scale('r2', at(300))], lock('r1', 1), graceMs, nowMs);
    expect(judged.runs.map((r) => [r.runId, r.deadBecause !== undefined])).to.deep.equal([
      ['r1', false],
      ['r2', true],
    ]);
  });

  it('an unreadable expiry does not count as expired: the Lease decides', () => {
    expect(judgeRuns([scale('r1', '')], lock('r1', 1), graceMs, nowMs).runs[0]!.deadBecause).to.equal(undefined);
  });

  it("the holder's run id is the first word of defaultHolder's identity", () => {
    expect(holderRunId('rabc123 me@host pid 42')).to.equal('rabc123');
    expect(holderRunId(undefined)).to.equal(undefined);
  });
});
