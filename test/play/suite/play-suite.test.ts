/** A suite's order of play (pure, with stand-in scenarios and settle checks). */
import { expect } from 'chai';
import type { SuiteEntry } from '../../../src/play/suite/read-suite.js';
import { playSuite, type SuitePlayers } from '../../../src/play/suite/play-suite.js';

const entry = (name: string): SuiteEntry => ({ file: `/s/${name}.yaml`, name, phaseOverrides: {} });
const entries = ['a', 'b', 'c', 'd'].map(entry);

function players(codes: Record<string, number>, settled: (next: string) => boolean = () => true) {
  const calls: string[] = [];
  const players: SuitePlayers = {
    runOne: async (e) => {
      calls.push(`run ${e.name}`);
      return { scenario: e.name, exitCode: codes[e.name] ?? 0, folder: `f-${e.name}` };
    },
    settle: async (previous, next) => {
      calls.push(`settle ${previous.name}→${next.name}`);
      return { settled: settled(next.name), message: settled(next.name) ? 'settled' : 'frontend 0/2 ready' };
    },
    say: () => undefined,
  };
  return { calls, players };
}

describe('suites: order of play', () => {
  it('runs every scenario in order with a settle check before each but the first, and goes on after a failure by default', async () => {
    const { calls, players: p } = players({ b: 1 });
    const play = await playSuite(entries, { failFast: false }, p);
    expect(calls).to.deep.equal(['run a', 'settle a→b', 'run b', 'settle b→c', 'run c', 'settle c→d', 'run d']);
    expect(play.runs.map((r) => r.exitCode)).to.deep.equal([0, 1, 0, 0]);
    expect(play.notRun).to.deep.equal([]);
  });

  it('fail fast: stops after the first failed scenario and lists the rest as not run', async () => {
    const { calls, players: p } = players({ b: 3 });
    const play = await playSuite(entries, { failFast: true }, p);
    expect(calls).to.deep.equal(['run a', 'settle a→b', 'run b']);
    expect(play.notRun.map((n) => n.scenario)).to.deep.equal(['c', 'd']);
    expect(play.notRun[0]!.reason).to.include('--fail-fast after b failed (exit 3)');
  });

  it('an environment that does not settle: the next scenario is a harness error, the rest are not run', async () => {
    const { calls, players: p } = players({}, (next) => next !== 'c');
    const play = await playSuite(entries, { failFast: false }, p);
    expect(calls).to.deep.equal(['run a', 'settle a→b', 'run b', 'settle b→c']);
    expect(play.runs.map((r) => [r.scenario, r.exitCode])).to.deep.equal([
      ['a', 0],
      ['b', 0],
      ['c', 3],
    ]);
    expect(play.runs[2]!.error).to.include('did not settle after b: frontend 0/2 ready');
    expect(play.notRun.map((n) => n.scenario)).to.deep.equal(['d']);
  });

  it('an interrupted scenario ends the suite', async () => {
    const { calls, players: p } = players({ b: 130 });
    const play = await playSuite(entries, { failFast: false }, p);
    expect(calls).to.deep.equal(['run a', 'settle a→b', 'run b']);
    expect(play.notRun.map((n) => n.scenario)).to.deep.equal(['c', 'd']);
  });

  it('a signal between scenarios starts no other', async () => {
    const { calls, players: p } = players({});
    let signalled = false;
    const wrapped: SuitePlayers = {
      ...p,
      runOne: async (e, i) => {
        const run = await p.runOne(e, i);
        if (e.name === 'a') signalled = true;
        return run;
      },
      interrupted: () => signalled,
    };
    const play = await playSuite(entries, { failFast: false }, wrapped);
    expect(calls).to.deep.equal(['run a']);
    expect(play.notRun.map((n) => n.scenario)).to.deep.equal(['b', 'c', 'd']);
  });
});
