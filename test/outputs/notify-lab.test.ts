/**
 * `--notify` end to end on the lab (real k6, the built CLI): a local receiver on loopback gets one
 * Slack-compatible message per failed run and none for a passed one; a receiver answering 500
 * changes neither the outcome nor the exit code.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { runChaosAsync } from '../support/cli.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const scenario = (name: string, budget: string) => `
name: ${name}
description: a short run whose budget ${budget.includes('count<1') ? 'cannot hold' : 'holds'}
environment: lab
load: { rate: 10, paths: [/], timeout: 5s }
phases: { baseline: 2s, fault: 3s, recovery: 2s }
faults:
  - { type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 100 }
budgets:
  baseline: { ${budget} }
`;

interface SlackMessage {
  text: string;
  blocks: Array<{ type: string; text?: { type: string; text: string } }>;
}

describe('--notify: a chat message when a run ends (lab, real k6)', function () {
  this.timeout(300_000);
  let dir: string;
  let lab: LabProcess;
  let receiver: Receiver;
  before(async function () {
    this.timeout(180_000);
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-notify-'));
    writeFileSync(path.join(dir, 'fails.yaml'), scenario('notify-fails', 'http_reqs: count<1'));
    writeFileSync(path.join(dir, 'passes.yaml'), scenario('notify-passes', 'http_req_failed: rate<0.5'));
    lab = await startLabProcess();
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.status = 200;
  });

  const run = (file: string, ...extra: string[]) =>
    runChaosAsync(['run', path.join(dir, file), '--reports', path.join(dir, 'reports'), ...extra], {
      timeoutMs: 120_000,
      env: lab.env,
    });

  it('a failed run posts one message: verdict, the breached budget, the report folder', async () => {
    const { code, stdout, stderr } = await run('fails.yaml', '--notify', `${receiver.url}/hook/secret-path`);
    expect(code, stderr).to.equal(ExitCode.budgetsBreached);
    expect(receiver.requests).to.have.length(1);
    const [request] = receiver.requests;
    expect(request!.method).to.equal('POST');
    expect(request!.path).to.equal('/hook/secret-path');
    expect(request!.headers['content-type']).to.equal('application/json');
    const message = JSON.parse(request!.body) as SlackMessage;
    expect(message.text).to.match(/^❌ chaos: notify-fails FAILED \(exit 1\) on lab/);
    expect(message.text).to.include('budget http_reqs measured');
    const folder = /results: (.*)\/$/m.exec(stdout)?.[1];
    expect(folder, stdout).to.be.a('string');
    expect(message.text).to.include(`report: ${folder}`);
    expect(message.blocks[0]!.type).to.equal('section');
    expect(message.blocks[0]!.text!.type).to.equal('mrkdwn');
    expect(`${stdout}${stderr}`, 'the webhook path is a secret').not.to.include('secret-path');
  });

  it('a passed run posts nothing (failures only by default)', async () => {
    const { code, stderr } = await run('passes.yaml', '--notify', receiver.url);
    expect(code, stderr).to.equal(ExitCode.passed);
    expect(receiver.requests).to.have.length(0);
  });

  it('a receiver answering 500 leaves a failed run at exit 1, logged', async () => {
    receiver.status = 500;
    const { code, stderr } = await run('fails.yaml', '--notify', receiver.url);
    expect(receiver.requests).to.have.length(1);
    expect(code, stderr).to.equal(ExitCode.budgetsBreached);
    expect(stderr).to.include('notification not sent');
    expect(stderr).to.include('HTTP 500');
  });

  it('with --notify-on always, a passed run posts once, and a 500 leaves it passed (exit 0)', async () => {
    receiver.status = 500;
    const { code, stderr } = await run('passes.yaml', '--notify', receiver.url, '--notify-on', 'always');
    expect(receiver.requests).to.have.length(1);
    expect((JSON.parse(receiver.requests[0]!.body) as SlackMessage).text).to.match(/^✅ chaos: notify-passes PASSED/);
    expect(code, stderr).to.equal(ExitCode.passed);
  });

  it('a receiver that is not listening changes nothing either', async () => {
    const closed = await startReceiver();
    await closed.close();
    const { code, stderr } = await run('fails.yaml', '--notify', closed.url);
    expect(code, stderr).to.equal(ExitCode.budgetsBreached);
    expect(stderr).to.include('notification not sent');
  });
});
