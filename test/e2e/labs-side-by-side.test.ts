/**
 * Labs anywhere: two `chaos lab up` with their own state folders and free ports, and a
 * `chaos run` against each at the same time. Each run finds the lab its CHAOS_STATE_DIR names,
 * sends its load to that lab's ingresses only, and leaves the other lab alone.
 */
import { expect } from 'chai';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaos, runChaosAsync } from '../support/cli.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';

const scenario = path.join(projectRoot, 'test/fixtures/scenarios/side-by-side.yaml');

function appsOf(lab: LabProcess, cluster: string): AppsV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(lab.state.kubeconfig);
  kc.setCurrentContext(`lab-${cluster}`);
  return kc.makeApiClient(AppsV1Api);
}

describe('two labs and two runs side by side', function () {
  this.timeout(300_000);
  const labs: LabProcess[] = [];

  before(async () => {
    labs.push(await startLabProcess());
    labs.push(await startLabProcess(['--ingress-address', '127.0.0.1']));
  });
  after(async () => {
    for (const lab of labs) await lab.stop();
  });

  it('each lab says where it listens: its own state folder, ports and kubeconfig, none of the defaults', () => {
    const [a, b] = labs as [LabProcess, LabProcess];
    const urls = (lab: LabProcess) => lab.state.clusters.flatMap((c) => [c.apiUrl, c.ingressUrl]);
    expect(a.state.stateDir).to.equal(a.stateDir);
    expect(b.state.stateDir).to.equal(b.stateDir);
    expect(a.state.kubeconfig).to.equal(path.join(a.stateDir, 'kubeconfig'));
    expect(urls(a)).to.have.length(4);
    for (const url of [...urls(a), ...urls(b)]) expect(url).not.to.match(/:8080\/?$/);
    expect(urls(a).filter((url) => urls(b).includes(url))).to.deep.equal([]);
    // --ingress-address with one address: both of b's ingresses on it, on distinct ports.
    const ingressesOfB = b.state.clusters.map((c) => new URL(c.ingressUrl));
    expect(ingressesOfB.map((u) => u.hostname)).to.deep.equal(['127.0.0.1', '127.0.0.1']);
    expect(ingressesOfB[0]!.port).not.to.equal(ingressesOfB[1]!.port);
  });

  it('chaos lab status finds the lab its --state-dir or CHAOS_STATE_DIR names', () => {
    for (const lab of labs) {
      const byOption = runChaos(['lab', 'status', '--output', 'json', '--state-dir', lab.stateDir]);
      const byEnv = runChaos(['lab', 'status', '--output', 'json'], { env: lab.env });
      for (const result of [byOption, byEnv]) {
        expect(result.code, result.stderr).to.equal(ExitCode.passed);
        const status = JSON.parse(result.stdout) as { running: boolean; pid: number; clusters: unknown[] };
        expect(status.running).to.equal(true);
        expect(status.pid).to.equal(lab.child.pid);
        expect(status.clusters).to.deep.equal(lab.state.clusters);
      }
    }
  });

  it('a chaos run against each at once: both pass, each loads its own lab and scales only its own frontend', async () => {
    const [a, b] = labs as [LabProcess, LabProcess];
    // Watch b's central frontend while only a's run is known to be scaling: a scale of b by a's
    // run would show as a generation bump on b that b's own run did not make.
    const generation = async (lab: LabProcess) =>
      (await appsOf(lab, 'central').readNamespacedDeployment({ name: 'frontend', namespace: 'bank-of-anthos' }))
        .metadata?.generation ?? 0;
    const before = [await generation(a), await generation(b)];
    const runs = await Promise.all(
      labs.map((lab) =>
        runChaosAsync(['run', scenario, '--reports', path.join(lab.root, 'reports')], {
          cwd: lab.root,
          env: lab.env,
          timeoutMs: 240_000,
        }),
      ),
    );
    for (const [index, run] of runs.entries()) {
      const lab = labs[index]!;
      expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(ExitCode.passed);
      const dir = /results: (.*?)\/?$/m.exec(run.stdout)?.[1];
      expect(dir, run.stdout).to.be.a('string');
      const result = JSON.parse(readFileSync(path.resolve(lab.root, dir!, 'result.json'), 'utf8')) as {
        load: Array<{ ingress: string; target: string }>;
        faults: { applied: unknown[]; reverted: unknown[] };
      };
      // The run says which lab it used: this one, by pid and state folder.
      expect(run.stdout).to.include(`the running lab (pid ${lab.child.pid}, state ${lab.stateDir})`);
      // result.json names the ingresses this run loaded: its own lab's.
      const own = Object.fromEntries(lab.state.clusters.map((c) => [c.name, c.ingressUrl.replace(/\/$/, '')]));
      const loaded = Object.fromEntries(result.load.map((l) => [l.ingress, l.target.replace(/\/$/, '')]));
      expect(loaded).to.deep.equal(own);
      expect(result.faults.applied).to.have.length(1);
      expect(result.faults.reverted).to.have.length(1);
    }
    // Each run scaled its own lab's frontend to 0 and back: two spec changes there, no more.
    const after = [await generation(a), await generation(b)];
    expect(after[0]! - before[0]!).to.equal(2);
    expect(after[1]! - before[1]!).to.equal(2);
    for (const lab of labs) {
      const frontend = await appsOf(lab, 'central').readNamespacedDeployment({
        name: 'frontend',
        namespace: 'bank-of-anthos',
      });
      expect(frontend.spec?.replicas).to.be.greaterThan(0);
    }
  });

  it('chaos lab down stops the lab its state folder names and no other', async () => {
    const [a, b] = labs as [LabProcess, LabProcess];
    // runChaos blocks this process, so the lab it started stays an unreaped zombie once it
    // exits: `lab down` must not take a zombie for a running lab.
    const down = runChaos(['lab', 'down'], { env: a.env, timeoutMs: 90_000 });
    expect(down.code, `${down.stderr}\nlab output:\n${a.output()}`).to.equal(ExitCode.passed);
    expect(down.stdout).to.include(`lab stopped (pid ${a.child.pid})`);
    const statusA = JSON.parse(runChaos(['lab', 'status', '--output', 'json'], { env: a.env }).stdout) as {
      running: boolean;
    };
    const statusB = JSON.parse(runChaos(['lab', 'status', '--output', 'json'], { env: b.env }).stdout) as {
      running: boolean;
    };
    expect(statusA.running).to.equal(false);
    expect(statusB.running).to.equal(true);
  });
});
