/**
 * findRunningLab, in process, on state folders written by hand (no lab runs): what a folder
 * records decides between "no lab here" (undefined: `chaos run` starts its own), the lab to
 * connect to, and a LabStateError that names the file and says what to do.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HarnessError } from '../../src/errors/errors.js';
import { chooseLabStateDir, findRunningLab, LabStateError, type LabState } from '../../src/lab/index.js';
import { renderKubeconfig } from '../../src/lab/kubeconfig.js';

describe('finding the running lab a state folder records', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'chaos-find-lab-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  let n = 0;
  function labDir(overrides: Partial<LabState> = {}, kubeconfigText?: string): { dir: string; state: LabState } {
    const dir = path.join(root, `lab-${(n += 1)}`);
    mkdirSync(dir);
    const clusters = [
      {
        name: 'central',
        context: 'lab-central',
        apiUrl: 'https://127.0.0.1:6443',
        ingressUrl: 'http://127.0.0.11:8080',
      },
    ];
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText ?? renderKubeconfig(clusters, 'ca', 'secret'));
    const state: LabState = {
      version: 1,
      pid: process.pid,
      startedAt: 'then',
      stateDir: dir,
      kubeconfig,
      namespace: 'ns',
      clusters,
      ...overrides,
    };
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
    return { dir, state };
  }
  const failure = async (dir: string, namedBy?: '--state-dir'): Promise<LabStateError> => {
    const error = await findRunningLab({ dir, namedBy }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(LabStateError);
    expect(error).to.be.instanceOf(HarnessError); // exit 3
    expect((error as LabStateError).hint)
      .to.be.a('string')
      .and.not.equal('');
    return error as LabStateError;
  };

  it('gives the lab, its kubeconfig checked, when everything agrees', async () => {
    const { dir, state } = labDir();
    const found = await findRunningLab({ dir });
    expect(found?.state).to.deep.equal(state);
    expect(found?.kubeconfigYaml).to.include('https://127.0.0.1:6443');
  });

  it('finds no lab in a folder without state.json, nor in the default folder when it does not exist', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    expect(await findRunningLab({ dir: empty, namedBy: '--state-dir' })).to.equal(undefined);
    expect(await findRunningLab({ dir: path.join(root, 'absent') })).to.equal(undefined);
  });

  it('refuses a folder someone named that does not exist, naming who named it', async () => {
    const error = await failure(path.join(root, 'absent'), '--state-dir');
    expect(error.message).to.include('(named by --state-dir) does not exist');
  });

  it('refuses a dead pid, a deleted, corrupt or foreign kubeconfig, a swapped or corrupt state.json', async () => {
    expect((await failure(labDir({ pid: 2 ** 22 + 7 }).dir)).message).to.include('is not running');
    const gone = labDir();
    rmSync(gone.state.kubeconfig);
    expect((await failure(gone.dir)).message).to.include('is gone');
    expect((await failure(labDir({}, 'a: [').dir)).message).to.include('not YAML');
    const foreign = renderKubeconfig([{ context: 'lab-central', apiUrl: 'https://127.0.0.1:7443' }], 'ca', 'secret');
    expect((await failure(labDir({}, foreign).dir)).message).to.include('points at https://127.0.0.1:7443');
    const tokenless = renderKubeconfig([{ context: 'lab-central', apiUrl: 'https://127.0.0.1:6443' }], 'ca', '');
    expect((await failure(labDir({}, tokenless).dir)).message).to.include('no user with a token');
    expect((await failure(labDir({ stateDir: '/elsewhere' }).dir)).message).to.include('the lab of /elsewhere');
    const broken = labDir();
    writeFileSync(path.join(broken.dir, 'state.json'), '{"version": 2, "pid": "x"}');
    const message = (await failure(broken.dir)).message;
    expect(message).to.include('version: expected 1').and.include('pid: expected a process id');
  });

  it('chooses --state-dir over CHAOS_STATE_DIR over .chaos/lab, and says which', () => {
    expect(chooseLabStateDir('/w', { CHAOS_STATE_DIR: 'x' }, 'y')).to.deep.equal({
      dir: '/w/y',
      namedBy: '--state-dir',
    });
    expect(chooseLabStateDir('/w', { CHAOS_STATE_DIR: 'x' })).to.deep.equal({
      dir: '/w/x',
      namedBy: 'CHAOS_STATE_DIR',
    });
    expect(chooseLabStateDir('/w', {})).to.deep.equal({ dir: '/w/.chaos/lab' });
  });
});
