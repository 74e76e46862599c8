/**
 * `chaos init` on a terminal without --context: each context of the kubeconfig is offered
 * through the CLI's I/O (`io.ask`), an empty answer skips it. Against the embedded lab (its
 * contexts lab-central and lab-west) plus a third context that is skipped and never contacted.
 * Skipping every context is refused with "no cluster chosen".
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { startLab, type RunningLab } from '../../src/lab/index.js';
import type { CliIo } from '../../src/system/io.js';

/** A CLI I/O on a "terminal" that answers the questions it is asked from a list, in order. */
function terminal(cwd: string, answers: string[]) {
  const questions: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    isTty: true,
    color: false,
    env: { ...process.env, KUBECONFIG: undefined },
    cwd,
    ask: async (question) => {
      questions.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${question}`);
      return answer;
    },
  };
  return { io, questions, out, err };
}

describe('chaos init, interactive (answers through the CLI I/O)', function () {
  this.timeout(60_000);
  let lab: RunningLab;
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    lab = await startLab({ ingressPort: 0, timing: { startupMs: 50, readinessMs: 50, terminationGraceMs: 200 } });
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-init-tty-'));
    // A context first that nothing serves (port 9 is closed): skipped, so never contacted.
    const unused = path.join(dir, 'unused.yaml');
    writeFileSync(
      unused,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'unused', cluster: { server: 'https://127.0.0.1:9' } }],
        users: [{ name: 'unused', user: { token: 'x' } }],
        contexts: [{ name: 'unused-ctx', context: { cluster: 'unused', user: 'unused' } }],
        'current-context': 'unused-ctx',
      }),
    );
    const labFile = path.join(dir, 'lab.yaml');
    writeFileSync(labFile, lab.kubeconfig(), { mode: 0o600 });
    kubeconfig = [unused, labFile].join(path.delimiter);
  });
  after(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks a cluster name for each context; two answered, one skipped, the file names the two', async () => {
    const out = path.join(dir, 'env.yaml');
    const tty = terminal(dir, ['', 'central', ' west ']);
    const code = await main(['init', '--kubeconfig', kubeconfig, '--name', 'asked', '--out', out], tty.io);
    expect(code, tty.err.join('\n')).to.equal(ExitCode.passed);
    expect(tty.questions).to.deep.equal([
      'cluster name for context unused-ctx (empty: skip): ',
      'cluster name for context lab-central (empty: skip): ',
      'cluster name for context lab-west (empty: skip): ',
    ]);
    const written = parse(readFileSync(out, 'utf8')) as {
      allowContexts: string[];
      clusters: Record<string, { context: string }>;
    };
    expect(written.allowContexts).to.deep.equal(['lab-central', 'lab-west']);
    expect(Object.fromEntries(Object.entries(written.clusters).map(([name, c]) => [name, c.context]))).to.deep.equal({
      central: 'lab-central',
      west: 'lab-west',
    });
  });

  it('every context skipped: refused, saying no cluster was chosen, and no file is written', async () => {
    const out = path.join(dir, 'none.yaml');
    const tty = terminal(dir, ['', '', '']);
    const code = await main(['init', '--kubeconfig', kubeconfig, '--out', out], tty.io);
    expect(code).to.equal(ExitCode.invalidInput);
    expect(tty.questions).to.have.length(3);
    const message = tty.err.join('\n');
    expect(message).to.include('no cluster chosen');
    expect(message).to.include('unused-ctx, lab-central, lab-west');
    expect(message).not.to.match(/namespace/);
    expect(() => readFileSync(out)).to.throw(/ENOENT/);
  });
});
