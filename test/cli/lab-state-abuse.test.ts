/**
 * Abuse of a lab's state folder, against the built CLI: every command that reads it (`run`
 * through openEnvironment, `plan` through readableClusters — as `validate --env lab` —, `recover`
 * and `guard` through connectExisting; each case with run and plan, two with recover and guard)
 * ends in a located, explained error with a
 * hint and exit 3 — never "internal error", never a stack trace — when the folder is missing, its
 * kubeconfig is deleted or corrupt, it records a process that died, or two labs' files were
 * swapped. The states are written by hand (the process recorded alive is this test's own), so no
 * lab, k6 or kube-apiserver is needed: each error comes before anything is contacted.
 */
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import type { LabState } from '../../src/lab/index.js';
import { renderKubeconfig } from '../../src/lab/kubeconfig.js';
import { runChaosAsync } from '../support/cli.js';

/** Above Linux's largest pid (2^22), so never a live process. */
const deadPid = 2 ** 22 + 12345;

interface Abuse {
  name: string;
  /** Sets the folder up; returns the CHAOS_STATE_DIR to use and the words the error must hold. */
  arrange(root: string): { stateDir: string; expect: string[] };
}

function writeLab(dir: string, port: number, overrides: Partial<LabState> = {}): LabState {
  mkdirSync(dir, { recursive: true });
  const clusters = ['central', 'west'].map((name, i) => ({
    name,
    context: `lab-${name}`,
    apiUrl: `https://127.0.0.1:${port + i}`,
    ingressUrl: `http://127.0.0.${11 + i}:${port + 10}`,
  }));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, renderKubeconfig(clusters, 'not a real CA\n', `token-${port}`), { mode: 0o600 });
  const state: LabState = {
    version: 1,
    pid: process.pid,
    startedAt: '2026-12-01T10:00:00.000Z',
    stateDir: dir,
    kubeconfig,
    namespace: 'bank-of-anthos',
    clusters,
    ...overrides,
  };
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));
  return state;
}

const abuses: Abuse[] = [
  {
    name: 'the state folder named by CHAOS_STATE_DIR is missing',
    arrange: (root) => {
      const stateDir = path.join(root, 'no-such-folder');
      return { stateDir, expect: [`lab state folder ${stateDir}`, 'does not exist', 'chaos lab up --state-dir'] };
    },
  },
  {
    name: "the lab's kubeconfig was deleted",
    arrange: (root) => {
      const stateDir = path.join(root, 'lab');
      const state = writeLab(stateDir, 41000);
      rmSync(state.kubeconfig);
      return {
        stateDir,
        expect: [`the lab's kubeconfig ${state.kubeconfig}`, 'is gone', 'chaos lab down --state-dir'],
      };
    },
  },
  {
    name: "the lab's kubeconfig is not YAML",
    arrange: (root) => {
      const stateDir = path.join(root, 'lab');
      const state = writeLab(stateDir, 41100);
      writeFileSync(state.kubeconfig, 'apiVersion: v1\nclusters: [ {\n  - : :\n');
      return { stateDir, expect: [`${state.kubeconfig}:`, 'is corrupt', 'not YAML', 'chaos lab down'] };
    },
  },
  {
    name: "the lab's kubeconfig lost its contexts",
    arrange: (root) => {
      const stateDir = path.join(root, 'lab');
      const state = writeLab(stateDir, 41200);
      writeFileSync(state.kubeconfig, 'apiVersion: v1\nkind: Config\ncontexts: []\n');
      return { stateDir, expect: [state.kubeconfig, 'is corrupt', 'has no context lab-central', 'chaos lab up'] };
    },
  },
  {
    name: 'the state records a process that died (kill -9)',
    arrange: (root) => {
      const stateDir = path.join(root, 'lab');
      writeLab(stateDir, 41300, { pid: deadPid });
      return {
        stateDir,
        expect: [path.join(stateDir, 'state.json'), `pid ${deadPid}`, 'is not running', 'chaos lab down'],
      };
    },
  },
  {
    name: "two labs' state.json files swapped",
    arrange: (root) => {
      const a = path.join(root, 'a');
      const b = path.join(root, 'b');
      writeLab(a, 41400);
      writeLab(b, 41500);
      const aText = readFileSync(path.join(a, 'state.json'));
      copyFileSync(path.join(b, 'state.json'), path.join(a, 'state.json'));
      writeFileSync(path.join(b, 'state.json'), aText);
      return { stateDir: a, expect: [path.join(a, 'state.json'), `the lab of ${b}`, 'swapped'] };
    },
  },
  {
    name: "two labs' kubeconfig files swapped",
    arrange: (root) => {
      const a = path.join(root, 'a');
      const b = path.join(root, 'b');
      writeLab(a, 41600);
      writeLab(b, 41700);
      const aText = readFileSync(path.join(a, 'kubeconfig'));
      copyFileSync(path.join(b, 'kubeconfig'), path.join(a, 'kubeconfig'));
      writeFileSync(path.join(b, 'kubeconfig'), aText);
      return {
        stateDir: a,
        expect: [path.join(a, 'kubeconfig'), 'https://127.0.0.1:41700', 'https://127.0.0.1:41600', 'swapped'],
      };
    },
  },
  {
    name: 'state.json is not JSON',
    arrange: (root) => {
      const stateDir = path.join(root, 'lab');
      writeLab(stateDir, 41800);
      writeFileSync(path.join(stateDir, 'state.json'), '{"version": 1, "pid":');
      return { stateDir, expect: [path.join(stateDir, 'state.json'), 'not a lab state file', 'chaos lab down'] };
    },
  },
];

const run = {
  name: 'run',
  args: ['run', 'frontend-zero', '--phase', 'baseline=1s', '--phase', 'fault=1s', '--phase', 'recovery=1s'],
};
const plan = { name: 'plan', args: ['plan', 'frontend-zero'] };
const recover = { name: 'recover', args: ['recover', '--lock-wait', '1'] };
const guard = { name: 'guard', args: ['guard', '--env', 'lab'] };

describe('a broken lab state folder: a located error with a hint and exit 3, from every command that reads it', function () {
  this.timeout(180_000);
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'chaos-lab-abuse-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Runs `commands` at once against the folder `abuse` arranges; each must fail as the case says. */
  async function expectRefused(index: number, abuse: Abuse, commands: Array<{ name: string; args: string[] }>) {
    const caseRoot = path.join(root, String(index));
    mkdirSync(caseRoot);
    const { stateDir, expect: words } = abuse.arrange(caseRoot);
    // Each from a private folder (no reports/ to find there), at the same time.
    const results = await Promise.all(
      commands.map((command) =>
        runChaosAsync(command.args, { cwd: caseRoot, env: { CHAOS_STATE_DIR: stateDir }, timeoutMs: 90_000 }),
      ),
    );
    results.forEach((result, i) => {
      const what = `chaos ${commands[i]!.name}:\n${result.stdout}\n${result.stderr}`;
      expect(result.code, what).to.equal(ExitCode.harnessError);
      for (const word of words) expect(result.stderr, what).to.include(word);
      expect(result.stderr, what).to.match(/^hint: /m);
      expect(result.stderr, what).not.to.include('internal error');
      expect(result.stderr, what).not.to.match(/^\s+at /m);
    });
  }

  abuses.forEach((abuse, index) => {
    it(`${abuse.name}: chaos run and chaos plan exit 3 saying so`, () => expectRefused(index, abuse, [run, plan]));
  });

  // recover and guard open the lab's state through the same check: shown on two of the cases.
  for (const [index, name] of [
    [abuses.length, "the lab's kubeconfig was deleted"],
    [abuses.length + 1, 'the state records a process that died (kill -9)'],
  ] as const)
    it(`${name}: chaos recover and chaos guard exit 3 saying so`, () =>
      expectRefused(
        index,
        abuses.find((abuse) => abuse.name === name)!,
        [recover, guard],
      ));
});
