/**
 * The real-cluster helper itself: a client-node client trusts the kubeconfig as is, Istio's CRDs
 * are served, a missing binary fails loudly, and nothing survives stop(), a signal or `kill -9`.
 */
import { ApiextensionsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealCluster, type RealCluster } from '../support/real-cluster.js';
import { waitFor } from '../support/real-http.js';
import { processesMentioning } from '../support/real-processes.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectNothingLeft(pids: number[], dir: string): Promise<void> {
  await waitFor(
    `processes ${pids.join(', ')} and folder ${dir} to be gone`,
    async () => (pids.some(isAlive) || existsSync(dir) || processesMentioning(dir).length > 0 ? undefined : true),
    {
      timeoutMs: 15_000,
      describe: () => `alive: ${pids.filter(isAlive).join(', ') || 'none'}; folder exists: ${existsSync(dir)}`,
    },
  );
}

describe('real cluster helper', function () {
  this.timeout(300_000);

  describe('a started cluster', () => {
    let cluster: RealCluster | undefined;
    before(async () => {
      cluster = await startRealCluster('helper');
    });
    after(async () => {
      await cluster?.stop();
    });

    it('serves client-node through its kubeconfig with certificate-authority-data and a token', async () => {
      const config = new KubeConfig();
      config.loadFromString(cluster!.kubeconfigYaml('helper-test'));
      expect(config.getCurrentContext()).to.equal('helper-test');
      expect(config.getCurrentCluster()?.skipTLSVerify ?? false).to.equal(false);
      expect(config.getCurrentCluster()?.server).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const namespaces = await config.makeApiClient(CoreV1Api).listNamespace();
      expect(namespaces.items.map((item) => item.metadata?.name)).to.include('default');
    });

    it('has Istio networking CRDs installed and Established', async () => {
      const config = new KubeConfig();
      config.loadFromString(cluster!.kubeconfigYaml());
      const crd = await config
        .makeApiClient(ApiextensionsV1Api)
        .readCustomResourceDefinition({ name: 'virtualservices.networking.istio.io' });
      expect(crd.status?.conditions?.find((condition) => condition.type === 'Established')?.status).to.equal('True');
      expect(crd.spec.versions.map((version) => version.name)).to.include('v1');
    });

    it('leaves no process and no temporary folder behind after stop()', async () => {
      const pids = cluster!.pids();
      const dir = cluster!.dir;
      expect(pids.length).to.be.greaterThan(2);
      expect(pids.every(isAlive)).to.equal(true);
      await cluster!.stop();
      await expectNothingLeft(pids, dir);
    });
  });

  it('fails, naming the build command, when the binaries are missing', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'chaos-no-tools-'));
    const saved = process.env.CHAOS_KUBE_TOOLS;
    process.env.CHAOS_KUBE_TOOLS = empty;
    try {
      let failure: unknown;
      await startRealCluster('missing').catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
      expect((failure as Error).message)
        .to.contain('bash scripts/build-kube-tools.sh')
        .and.contain('kube-apiserver');
    } finally {
      if (saved === undefined) delete process.env.CHAOS_KUBE_TOOLS;
      else process.env.CHAOS_KUBE_TOOLS = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`leaves nothing behind when the test process dies by ${signal}`, async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./start-cluster-child.ts', import.meta.url))],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      const started = await waitFor(
        'the child process to report its cluster',
        async () => {
          if (child.exitCode !== null)
            throw new Error(`the child exited with ${child.exitCode}: ${output.slice(-300)}`);
          const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
          return line ? (JSON.parse(line) as { pids: number[]; dir: string }) : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 500, describe: () => output.slice(-300) },
      );
      expect(started.pids.every(isAlive)).to.equal(true);
      child.kill(signal);
      await expectNothingLeft(started.pids, started.dir);
    });
  }
});
