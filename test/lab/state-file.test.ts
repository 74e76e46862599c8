/**
 * How another process finds a running lab: state.json without secrets, the kubeconfig 0600,
 * and whether the recorded process is still alive.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readLabState, removeLabState, writeLabState, type RunningLab } from '../../src/lab/index.js';
import { startTestLab } from './lab-test-kit.js';

describe('lab state file', function () {
  this.timeout(30_000);
  let lab: RunningLab;
  let dir: string;

  before(async () => {
    ({ lab } = await startTestLab({ waitReady: false }));
    dir = await mkdtemp(join(tmpdir(), 'chaos-lab-state-'));
  });
  after(async () => {
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes state.json and a 0600 kubeconfig, and reads them back with a live pid', async () => {
    const written = await writeLabState(dir, lab);
    expect((await stat(written.kubeconfig)).mode & 0o777).to.equal(0o600);
    expect(await readFile(written.kubeconfig, 'utf8')).to.equal(lab.kubeconfig());
    const text = await readFile(join(dir, 'state.json'), 'utf8');
    expect(text).to.not.contain(lab.token);
    const reading = await readLabState(dir);
    expect(reading?.running).to.equal(true);
    expect(reading?.state.clusters).to.deep.equal(lab.clusters);
    expect(reading?.state.pid).to.equal(process.pid);
  });

  it('reports a lab whose process is gone as not running, and nothing when there is no file', async () => {
    await writeLabState(dir, lab, { pid: 2 ** 22 + 12345 });
    expect((await readLabState(dir))?.running).to.equal(false);
    const reading = await readLabState(dir);
    await removeLabState(dir, reading?.state);
    expect(await readLabState(dir)).to.equal(undefined);
  });
});
