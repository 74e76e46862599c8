/**
 * Game-day mode driven by a real terminal: `chaos gameday` runs inside tmux (its own server
 * socket), the test reads the screen with capture-pane and presses keys with send-keys, like a
 * facilitator. Keys advance the steps, revert one step, revert everything and abort; a typed
 * note lands in the journal, in report.html and in gameday.md with the time it was written.
 * The lab runs in this process, so the test sees in the API what each key did. Every wait is
 * bounded; nothing is timed.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLab, writeLabState, type RunningLab } from '../../../src/lab/index.js';
import type { JournalEntry } from '../../../src/run/record/run-events.js';
import { projectRoot } from '../../support/cli.js';

const socket = `chaos-gameday-${process.pid}`;
const session = 'gameday';
const scenario = path.join(projectRoot, 'test/play/gameday/fixtures/gameday-steps.yaml');
const noteText = 'central frontend down; west carries central ingress';

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw new Error(`tmux is needed for this test (apt-get install -y tmux): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const screen = () => tmux('capture-pane', '-p', '-t', session);

async function waitForScreen(pattern: RegExp, what: string, timeoutMs = 90_000): Promise<string> {
  let last = '';
  for (let waited = 0; waited <= timeoutMs; waited += 250) {
    last = screen();
    if (pattern.test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what} (${pattern}); the screen:\n${last}`);
}

describe('game day under a real terminal (tmux, real k6, lab in this process)', function () {
  this.timeout(600_000);
  let lab: RunningLab;
  let cwd: string;
  let apps: k8s.AppsV1Api;
  let custom: k8s.CustomObjectsApi;

  before(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-gameday-'));
    lab = await startLab({ ingressPort: 0 }); // free ports: beside other tests and a developer's lab
    await writeLabState(path.join(cwd, '.chaos/lab'), lab);
    const config = new k8s.KubeConfig();
    config.loadFromString(lab.kubeconfig());
    config.setCurrentContext('lab-central');
    apps = config.makeApiClient(k8s.AppsV1Api);
    custom = config.makeApiClient(k8s.CustomObjectsApi);
  });
  after(async () => {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    await lab?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const frontendReplicas = async () =>
    (await apps.readNamespacedDeployment({ name: 'frontend', namespace: 'bank-of-anthos' })).spec?.replicas;
  const ourRoutes = async () => {
    const vs = (await custom.getNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      plural: 'virtualservices',
      namespace: 'bank-of-anthos',
      name: 'frontend-ingress',
    })) as { spec: { http: Array<{ name?: string }> } };
    return vs.spec.http.filter((route) => route.name?.startsWith('chaos-')).length;
  };

  it('keys advance, revert one step, revert everything and abort; the note is in the journal and the reports with its time', async () => {
    const command = `env -u CI -u CHAOS_STATE_DIR CHAOS_LAB_INGRESS_PORT=0 node ${path.join(projectRoot, 'bin/chaos.js')} gameday ${scenario} --reports reports; echo CHAOS_EXIT=$?; sleep 300`;
    tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '50', '-c', cwd, command);

    await waitForScreen(
      /PHASE\s+baseline \(1 of 4\)[\s\S]*central\s+\S*[▁▂▃▄▅▆▇█]/,
      'the baseline with load on the plots',
    );
    expect(screen()).to.match(
      /KEYS\s+\[X\] REVERT EVERYTHING\s+\[n\] next step\s+\[h\] hold \/ release\s+\[r\] revert this step\s+\[m\] note\s+\[q\] abort/,
    );
    expect(await frontendReplicas()).to.equal(2);

    tmux('send-keys', '-t', session, 'n');
    await waitForScreen(/APPLIED\s+scale-1@central/, 'the first fault applied');
    expect(screen()).to.match(/PHASE\s+frontend-down \(2 of 4\)/);
    expect(await frontendReplicas()).to.equal(0);

    // Who serves central's ingress: its frontend is gone, so west answers (east-west), live on the screen.
    await waitForScreen(/SERVED BY[\s\S]*\ncentral\s+\S*█\s+100%\s+west 100%/, 'central served by west');

    tmux('send-keys', '-t', session, 'm');
    await waitForScreen(/NOTE \+\d\d:\d\d >/, 'the note line');
    tmux('send-keys', '-t', session, '-l', noteText);
    tmux('send-keys', '-t', session, 'Enter');
    await waitForScreen(new RegExp(`NOTES\\s+\\+\\d\\d:\\d\\d\\s+${noteText}`), 'the note under NOTES');

    tmux('send-keys', '-t', session, 'r');
    await waitForScreen(/reverted\s+scale-1@central/, 'the step reverted by r');
    expect(screen()).to.match(/PHASE\s+frontend-down/);
    expect(await frontendReplicas()).to.equal(2);

    tmux('send-keys', '-t', session, 'n');
    await waitForScreen(/APPLIED\s+istio-delay-2@central/, 'the second fault applied');
    expect(await ourRoutes()).to.equal(1);

    tmux('send-keys', '-t', session, 'X');
    await waitForScreen(
      /reverted\s+istio-delay-2@central[\s\S]*every fault reverted by the big red key/,
      'everything reverted by the big red key',
    );
    expect(await ourRoutes()).to.equal(0);

    tmux('send-keys', '-t', session, 'n');
    await waitForScreen(/PHASE\s+recovery \(4 of 4\)/, 'the last step');
    tmux('send-keys', '-t', session, 'q');
    await waitForScreen(/Abort the run\? Press q again/, 'the abort question');
    tmux('send-keys', '-t', session, 'q');
    const end = await waitForScreen(/CHAOS_EXIT=\d+/, 'the game day to end');
    expect(end).to.include('CHAOS_EXIT=130');
    expect(end).to.include('INTERRUPTED: aborted by the facilitator; faults reverted');
    expect(await frontendReplicas()).to.equal(2);
    expect(await ourRoutes()).to.equal(0);

    // The journal: the facilitator's steps in order, and the note between the steps it was written in.
    const [folder] = readdirSync(path.join(cwd, 'reports')).filter((name) => name.endsWith('-gameday-steps'));
    const runDir = path.join(cwd, 'reports', folder!);
    const journal = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalEntry);
    const facilitator = journal.flatMap((e) =>
      e.type === 'log' && e.message.startsWith('facilitator: ') ? [e.message.split(':')[1]!.trim()] : [],
    );
    expect(facilitator).to.deep.equal(['next', 'revert', 'next', 'REVERT EVERYTHING', 'next', 'abort']);
    const note = journal.find((e): e is Extract<JournalEntry, { type: 'note' }> => e.type === 'note');
    expect(note?.text).to.equal(noteText);
    const started = (phase: string) => journal.find((e) => e.type === 'phase-started' && e.phase === phase)!.atMs;
    const revertPressed = journal.find((e) => e.type === 'log' && e.message.startsWith('facilitator: revert'))!.atMs;
    expect(note!.atMs).to.be.within(started('frontend-down'), revertPressed);
    expect(
      journal.filter((e) => e.type === 'phase-started').map((e) => (e.type === 'phase-started' ? e.phase : '')),
    ).to.deep.equal(['baseline', 'frontend-down', 'slow-front-door', 'recovery']);

    // The reports: result.json has the real step times; report.html and gameday.md show the note with its time.
    const result = JSON.parse(readFileSync(path.join(runDir, 'result.json'), 'utf8')) as {
      outcome: { status: string };
      phases: Array<{ name: string; startedAt: string }>;
      transitions: Array<{ name: string; startedAt: string; endedAt: string }>;
    };
    expect(result.outcome.status).to.equal('interrupted');
    // Steps are judged on the mesh's clock: a step with faults from the end of its apply transition
    // (which starts when the step did); a step after a revert from the end of that revert transition.
    const transition = (name: string) => result.transitions.find((t) => t.name === name);
    const steps = ['baseline', 'frontend-down', 'slow-front-door', 'recovery'];
    const expected = steps.map((step, index) => {
      const apply = transition(`${step}:apply`);
      if (apply) expect(Date.parse(apply.startedAt), `${step}:apply`).to.equal(started(step));
      const previousRevert = index > 0 ? transition(`${steps[index - 1]}:revert`) : undefined;
      return [step, Date.parse((apply ?? previousRevert)?.endedAt ?? '') || started(step)];
    });
    expect(result.phases.map((p) => [p.name, Date.parse(p.startedAt)])).to.deep.equal(expected);
    expect(readFileSync(path.join(runDir, 'report.html'), 'utf8')).to.include(noteText);
    const timeline = readFileSync(path.join(runDir, 'gameday.md'), 'utf8');
    const utc = new Date(note!.atMs)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    expect(timeline).to.match(new RegExp(`\\| \\+\\d\\d:\\d\\d \\| ${utc} \\| 📝 \\*\\*note\\*\\*: ${noteText} \\|`));
    expect(timeline).to.include('**step frontend-down** started');
    expect(timeline).to.match(/\| ingress \*\*central\*\* now served mostly by other clusters: west \d+%/);
    expect(timeline).to.match(/\n\| frontend-down \| central \| west \d+%[^|]* \| \d+% `[▁▂▃▄▅▆▇█]+` \|\n/);
  });
});
