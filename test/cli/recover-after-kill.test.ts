/**
 * Judged by 5: a real child process applies faults (scale, istio abort via ingress, istio delay
 * via mesh in every cluster, drain) and is killed with SIGKILL; `chaos recover` then restores
 * everything — once using the journal, once with the journal deleted (annotations and route
 * names alone). Against the lab and against real kube-apiservers.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerRecover } from '../../src/cli/commands/recover.js';
import { exitCodeOf, formatError } from '../../src/errors/errors.js';
import type { CliIo } from '../../src/system/io.js';
import { annotation } from '../../src/faults/annotations.js';
import type { Fault } from '../../src/scenario/types.js';
import { projectRoot } from '../support/cli.js';
import { describeForEachServer, apiOf, type FaultTestServer } from '../faults/support/servers.js';
import { newRunId, userView, waitSettled } from '../faults/support/session.js';

interface Outcome {
  code: number;
  out: string;
  err: string;
}

/** `chaos recover …` in process, through the real command registration and error mapping. */
async function runRecover(args: readonly string[], cwd: string): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    isTty: false,
    color: false,
    env: process.env,
    cwd,
    ask: () => Promise.reject(new Error('no terminal in this test')),
  };
  const program = new Command('chaos').exitOverride();
  registerRecover(program, io);
  program.commands.forEach((command) => command.exitOverride());
  let code = 0;
  try {
    await program.parseAsync(['recover', ...args], { from: 'user' });
  } catch (error) {
    code = error instanceof CommanderError ? 2 : exitCodeOf(error);
    if (!(error instanceof CommanderError)) err.push(formatError(error));
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function startDriver(
  server: FaultTestServer,
  reportsDir: string,
  runId: string,
  faults: readonly Fault[],
): ChildProcess {
  const faultsFile = path.join(server.dir, `faults-${runId}.json`);
  writeFileSync(faultsFile, JSON.stringify(faults));
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(projectRoot, 'test/faults/apply-driver.ts'),
      server.environmentFile,
      reportsDir,
      runId,
      faultsFile,
      '2',
    ],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Resolves once the driver printed APPLIED; rejects if it exits first or takes too long. */
function waitApplied(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`driver did not apply within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('APPLIED')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`driver exited (${code}) before applying: ${stderr}`));
    });
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function faultsFor(): Fault[] {
  return [
    {
      id: 'zero',
      type: 'scale',
      clusters: { kind: 'named', names: ['central'] },
      kind: 'Deployment',
      name: 'frontend',
      replicas: 0,
      allowDataLoss: false,
    },
    {
      id: 'abort',
      type: 'istio-abort',
      clusters: { kind: 'named', names: ['central'] },
      host: 'frontend',
      via: 'ingress',
      percentage: 20,
      status: 503,
    },
    {
      id: 'slow',
      type: 'istio-delay',
      clusters: { kind: 'all' },
      host: 'balancereader',
      via: 'mesh',
      percentage: 100,
      delayMs: 50,
    },
    {
      id: 'drain',
      type: 'drain',
      clusters: { kind: 'named', names: ['west'] },
      namespaces: ['bank-of-anthos'],
      force: false,
      deleteEmptyDirData: false,
      allowDataLoss: false,
    },
  ];
}

async function snapshot(server: FaultTestServer): Promise<unknown> {
  const central = apiOf(server, 'central');
  const west = apiOf(server, 'west');
  const { namespace, name } = server.ingressVirtualService;
  return {
    frontend: userView(await central.readWorkload('Deployment', server.namespace, 'frontend')),
    ingress: userView(await central.readVirtualService(namespace, name)),
    westNodes: (await west.listNodes()).map(userView),
    virtualServices: await Promise.all(
      ['central', 'west'].map(async (cluster) =>
        (await apiOf(server, cluster).listVirtualServices(undefined)).map((vs) => vs.metadata.name).sort(),
      ),
    ),
  };
}

describeForEachServer(
  (label) => `chaos recover after SIGKILL against ${label}`,
  (live) => {
    for (const journal of ['kept', 'deleted'] as const) {
      it(`restores everything with the journal ${journal}`, async () => {
        const s = live();
        await Promise.all(['central', 'west'].map((cluster) => waitSettled(apiOf(s, cluster), s.namespace)));
        const before = await snapshot(s);
        const reportsDir = path.join(s.dir, `reports-${journal}`);
        const runId = newRunId();
        const driver = startDriver(s, reportsDir, runId, faultsFor());
        try {
          await waitApplied(driver, 120_000);
        } finally {
          await killHard(driver);
        }
        expect(
          (await apiOf(s, 'central').readWorkload('Deployment', s.namespace, 'frontend')).metadata?.annotations?.[
            annotation.run
          ],
        ).to.equal(runId);
        if (journal === 'deleted') rmSync(reportsDir, { recursive: true, force: true });

        const dry = await runRecover(['--env', s.environmentFile, '--reports', reportsDir, '--dry-run'], s.dir);
        expect(dry.code, dry.err).to.equal(0);
        expect(dry.out).to.include('dry run: nothing changed');
        expect(
          (await apiOf(s, 'central').readScale('Deployment', s.namespace, 'frontend')).spec?.replicas ?? 0,
        ).to.equal(0);

        const recovered = await runRecover(
          ['--env', s.environmentFile, '--reports', reportsDir, '--lock-wait', '30'],
          s.dir,
        );
        expect(recovered.code, `${recovered.out}\n${recovered.err}`).to.equal(0);
        expect(recovered.out).to.include(journal === 'kept' ? 'from journal + annotations' : 'from annotations');
        if (journal === 'deleted') expect(recovered.out).to.not.include('from journal');
        await Promise.all(['central', 'west'].map((cluster) => waitSettled(apiOf(s, cluster), s.namespace)));
        expect(await snapshot(s)).to.deep.equal(before);

        const again = await runRecover(['--env', s.environmentFile, '--reports', reportsDir], s.dir);
        expect(again.code, again.err).to.equal(0);
        expect(again.out).to.include('nothing to recover');
      });
    }
  },
  { timeoutMs: 240_000 },
);
