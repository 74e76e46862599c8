/**
 * `chaos recover` safety: the allow-list guard, never undoing a live run (its lock), and
 * routes that only *look* like ours (name without annotation) left alone unless the run is
 * named. Against the lab and real kube-apiservers.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { parse, stringify } from 'yaml';
import { registerRecover } from '../../src/cli/commands/recover.js';
import { exitCodeOf, formatError } from '../../src/errors/errors.js';
import { ExitCode } from '../../src/errors/exit-codes.js';
import type { CliIo } from '../../src/system/io.js';
import { acquireLock } from '../../src/run/session/lock.js';
import { apiOf, describeForEachServer } from '../faults/support/servers.js';
import { newRunId, openTestSession, phaseOf } from '../faults/support/session.js';

async function recover(args: readonly string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
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
    code = error instanceof CommanderError ? ExitCode.invalidInput : exitCodeOf(error);
    if (!(error instanceof CommanderError)) err.push(formatError(error));
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describeForEachServer(
  (label) => `chaos recover safety against ${label}`,
  (live) => {
    it('refuses contexts that are not on the allow-list unless --yes', async () => {
      const s = live();
      const raw = parse(readFileSync(s.environmentFile, 'utf8')) as Record<string, unknown>;
      const strict = path.join(s.dir, 'strict-environment.yaml');
      writeFileSync(strict, stringify({ ...raw, name: 'strict', allowContexts: [] }));
      const refused = await recover(['--env', strict, '--reports', path.join(s.dir, 'none')], s.dir);
      expect(refused.code).to.equal(ExitCode.invalidInput);
      expect(refused.err).to.match(/refusing to touch central \(context .*\), west/);
      const allowed = await recover(['--env', strict, '--reports', path.join(s.dir, 'none'), '--yes'], s.dir);
      expect(allowed.code, allowed.err).to.equal(0);
      expect(allowed.out).to.include('nothing to recover');
    });

    it('never undoes a live run: waits for its lock, then refuses naming the holder, changing nothing', async () => {
      const s = live();
      const t = await openTestSession(s);
      const phase = phaseOf(s, t.runId, [
        {
          id: 'abort',
          type: 'istio-abort',
          clusters: { kind: 'named', names: ['central'] },
          host: 'frontend',
          via: 'ingress',
          percentage: 5,
          status: 503,
        },
      ]);
      const lock = await acquireLock(s.apis, { runId: t.runId, holder: `${t.runId} live run` });
      try {
        await t.session.apply(phase);
        const refused = await recover(
          ['--env', s.environmentFile, '--reports', path.join(s.dir, 'reports'), '--lock-wait', '1'],
          s.dir,
        );
        expect(refused.code).to.equal(ExitCode.harnessError);
        expect(refused.err).to.include(`${t.runId} live run`);
        const { namespace, name } = s.ingressVirtualService;
        expect((await apiOf(s, 'central').readVirtualService(namespace, name)).spec.http?.[0]?.name).to.equal(
          `chaos-${t.runId}-abort`,
        );
      } finally {
        await t.session.revertAll('test end');
        await lock.release();
        await t.close();
      }
    });

    it('leaves routes that only look like ours alone, and removes them when the run is named', async () => {
      const s = live();
      const { namespace, name } = s.ingressVirtualService;
      const api = apiOf(s, 'central');
      const before = await api.readVirtualService(namespace, name);
      const runId = newRunId();
      const route = {
        name: `chaos-${runId}-lost`,
        route: [{ destination: { host: 'frontend' } }],
        fault: { abort: { httpStatus: 500, percentage: { value: 1 } } },
      };
      await api.jsonPatchVirtualService(namespace, name, [{ op: 'add', path: '/spec/http/0', value: route }]);
      const listed = await recover(['--env', s.environmentFile, '--reports', path.join(s.dir, 'none')], s.dir);
      // A route of ours that lost its annotations is never "nothing to recover" (issue 27 item 6): exit 3.
      expect(listed.code, listed.err).to.equal(ExitCode.harnessError);
      expect(listed.out).to.not.include('nothing to recover');
      expect(listed.err).to.include('routes named like ours but no annotation: not touched');
      expect(listed.out)
        .to.include(`not touched: VirtualService ${namespace}/${name} in central: route(s) chaos-${runId}-lost`)
        .and.include(`--run ${runId}`);
      expect((await api.readVirtualService(namespace, name)).spec.http?.[0]?.name).to.equal(route.name);
      const removed = await recover(
        ['--env', s.environmentFile, '--reports', path.join(s.dir, 'none'), '--run', runId],
        s.dir,
      );
      expect(removed.code, `${removed.out}\n${removed.err}`).to.equal(0);
      expect(removed.out).to.include('from route name');
      expect(JSON.stringify((await api.readVirtualService(namespace, name)).spec)).to.equal(
        JSON.stringify(before.spec),
      );
    });
  },
  { timeoutMs: 120_000 },
);
