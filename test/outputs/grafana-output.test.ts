/**
 * `--grafana`: the output against the contract of Grafana's documented annotations API (a
 * loopback receiver, test/support/grafana-contract.ts; Grafana itself is AGPL and not used).
 * Events go in as a run emits them; the expected annotations are written from the table in
 * docs/grafana.md, not from the code. The contract itself is checked first, against the
 * documentation's own examples.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { grafanaOutput } from '../../src/play/outputs/grafana.js';
import { openOutputs } from '../../src/play/outputs/open-outputs.js';
import type { RunResult } from '../../src/report/result-schema.js';
import type { RunPlan } from '../../src/run/plan/build-plan.js';
import type { RunEvent } from '../../src/run/record/run-events.js';
import type { CliIo } from '../../src/system/io.js';
import { startGrafanaContract, type GrafanaContract } from '../support/grafana-contract.js';

const t0 = Date.UTC(2026, 11, 7, 2, 0, 0);
const plan = {
  scenario: { name: 'frontend-zero' },
  runId: 'r42',
  environment: { name: 'lab', clusters: [{ name: 'central' }, { name: 'west' }] },
  load: [{ ingress: 'central' }, { ingress: 'west' }],
  totalMs: 60_000,
} as unknown as RunPlan;
const base = ['chaos', 'scenario:frontend-zero', 'run:r42', 'environment:lab'];
const everywhere = ['cluster:central', 'cluster:west', 'ingress:central', 'ingress:west'];
const inCentral = ['cluster:central', 'ingress:central', 'ingress:west'];

const events: RunEvent[] = [
  { type: 'run-started', atMs: t0, runId: 'r42', scenario: 'frontend-zero', environment: 'lab' },
  { type: 'phase-started', atMs: t0 + 1_000, phase: 'baseline', plannedMs: 20_000 },
  { type: 'log', atMs: t0 + 2_000, level: 'info', message: 'not an annotation' },
  { type: 'phase-started', atMs: t0 + 21_000, phase: 'fault', plannedMs: 20_000 },
  { type: 'fault-applying', atMs: t0 + 21_000, faultId: 'scale-1', faultType: 'scale', cluster: 'central' },
  {
    type: 'fault-applied',
    atMs: t0 + 21_500,
    faultId: 'scale-1',
    cluster: 'central',
    effectiveAtMs: t0 + 23_000,
    convergedAtMs: t0 + 22_000,
    convergence: 'status',
  },
  { type: 'note', atMs: t0 + 25_000, text: 'west takes central', author: 'ana' },
  { type: 'abort', atMs: t0 + 30_000, reason: 'abort limit http_req_failed rate<0.5 breached on central' },
  { type: 'fault-reverted', atMs: t0 + 30_200, faultId: 'scale-1', cluster: 'central', ok: true },
  {
    type: 'fault-revert-verified',
    atMs: t0 + 30_200,
    faultId: 'scale-1',
    cluster: 'central',
    verifiedAtMs: t0 + 31_000,
  },
  { type: 'revert-all', atMs: t0 + 30_100, reason: 'abort', finishedAtMs: t0 + 31_000, failures: [] },
  {
    type: 'fault-failed',
    atMs: t0 + 31_500,
    faultId: 'delay-2',
    cluster: 'west',
    stage: 'apply',
    error: 'forbidden: token=abc123',
  },
];

/** Each event of the table: its time, its `event:` tag, and its cluster tags. */
const expected = [
  { time: t0 + 1_000, event: 'phase-started', tags: everywhere, text: 'phase baseline started (planned 20s)' },
  { time: t0 + 21_000, event: 'phase-started', tags: everywhere, text: 'phase fault started (planned 20s)' },
  { time: t0 + 21_500, event: 'fault-applied', tags: inCentral, text: 'fault scale-1 applied in central' },
  { time: t0 + 22_000, event: 'fault-converged', tags: inCentral, text: 'fault scale-1 in effect in central' },
  { time: t0 + 25_000, event: 'note', tags: everywhere, text: 'note (ana): west takes central' },
  { time: t0 + 30_000, event: 'abort', tags: everywhere, text: 'ABORT: abort limit' },
  { time: t0 + 30_200, event: 'fault-reverted', tags: inCentral, text: 'fault scale-1 reverted in central' },
  { time: t0 + 31_000, event: 'fault-revert-converged', tags: inCentral, text: 'fault scale-1 gone from central' },
  { time: t0 + 30_100, event: 'revert-all', tags: everywhere, text: 'revert everything (abort)' },
  {
    time: t0 + 31_500,
    event: 'fault-failed',
    tags: ['cluster:west', 'ingress:central', 'ingress:west'],
    text: 'fault delay-2 FAILED in west (apply)',
  },
];

const ended = {
  runId: 'r42',
  endedAt: new Date(t0 + 45_000).toISOString(),
  outcome: { status: 'aborted', exitCode: 4, reason: 'abort limit breached' },
} as unknown as RunResult;

function recordingLog() {
  const lines = { info: [] as string[], warn: [] as string[] };
  return { lines, log: { info: (t: string) => lines.info.push(t), warn: (t: string) => lines.warn.push(t) } };
}

async function playRun(grafana: GrafanaContract, options: { token?: string; dashboardUid?: string } = {}) {
  const { lines, log } = recordingLog();
  const output = grafanaOutput(
    { url: `${grafana.url}/`, token: options.token ?? grafana.token, dashboardUid: options.dashboardUid },
    log,
  );
  const sink = output.openRun!(plan, 'lab');
  for (const event of events) sink(event);
  await output.runConcluded!({ result: ended, where: 'reports/x', exitCode: 4, inSuite: false });
  return lines;
}

describe('--grafana: annotations on the contract of Grafana’s HTTP API', () => {
  let grafana: GrafanaContract;
  beforeEach(async () => {
    grafana = await startGrafanaContract();
  });
  afterEach(() => grafana.close());

  it('the contract answers as the documentation shows: 401 without the token, ids, regions, PATCH, 404', async () => {
    const send = (method: string, where: string, body?: unknown, token = grafana.token) =>
      fetch(`${grafana.url}${where}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const denied = await send('POST', '/api/annotations', { text: 'x' }, 'wrong');
    expect(denied.status).to.equal(401);
    expect(await denied.json()).to.deep.equal({ message: 'Unauthorized' });
    // The documentation's example request.
    const added = await send('POST', '/api/annotations', {
      dashboardUID: 'jcIIG-07z',
      panelId: 1,
      time: 1507037197339,
      timeEnd: 1507180805056,
      tags: ['tag1', 'tag2'],
      text: 'Annotation Description',
    });
    expect(await added.json()).to.deep.equal({ message: 'Annotation added', id: 1 });
    const patched = await send('PATCH', '/api/annotations/1', { text: 'New Annotation Description' });
    expect(await patched.json()).to.deep.equal({ message: 'Annotation patched' });
    expect((await send('PATCH', '/api/annotations/99', { text: 'x' })).status).to.equal(404);
    const found = (await (await send('GET', '/api/annotations?tags=tag1&tags=tag2')).json()) as Array<{
      text: string;
      timeEnd: number;
    }>;
    expect(found.map((a) => [a.text, a.timeEnd])).to.deep.equal([['New Annotation Description', 1507180805056]]);
    expect((await send('POST', '/api/annotations', { tags: ['x'] })).status, 'text is required').to.equal(400);
    expect((await send('POST', '/api/annotations', { text: 'x', time: 1507037197 })).status, 'seconds').to.equal(400);
    expect(grafana.violations).to.have.length(2);
  });

  it('every event of the table is one annotation with its time and tags; the run is one region, closed with the verdict', async () => {
    const lines = await playRun(grafana, { dashboardUid: 'chaos-dash' });
    expect(grafana.violations).to.deep.equal([]);
    expect(lines.warn).to.deep.equal([]);
    const all = [...grafana.annotations.values()];
    const regions = all.filter((a) => a.timeEnd !== a.time);
    expect(regions).to.have.length(1);
    expect(regions[0]).to.include({ time: t0, timeEnd: t0 + 45_000 });
    expect(regions[0]!.text).to.match(
      /^chaos run r42: frontend-zero on lab — ABORTED \(exit 4\): abort limit breached/,
    );
    expect(regions[0]!.tags).to.have.members([...base, 'event:run', ...everywhere, 'verdict:aborted']);
    const points = all.filter((a) => a.timeEnd === a.time);
    for (const want of expected) {
      const found = points.filter((a) => a.time === want.time && a.tags.includes(`event:${want.event}`));
      expect(found, `${want.event} at +${want.time - t0}`).to.have.length(1);
      expect(found[0]!.tags).to.have.members([...base, `event:${want.event}`, ...want.tags]);
      expect(found[0]!.text).to.include(want.text);
    }
    const end = points.filter((a) => a.tags.includes('event:run-ended'));
    expect(end.map((a) => [a.time, a.tags.includes('verdict:aborted')])).to.deep.equal([[t0 + 45_000, true]]);
    // Ten events of the table, the end point, the region: nothing else was posted.
    expect(all).to.have.length(expected.length + 2);
    expect(all.every((a) => a.dashboardUID === 'chaos-dash')).to.equal(true);
    expect(all.find((a) => a.tags.includes('event:fault-failed'))!.text, 'scrubbed').not.to.include('abc123');
    expect(grafana.receiver.requests.map((r) => r.method)).to.deep.equal([
      ...Array<string>(expected.length + 2).fill('POST'),
      'PATCH',
    ]);
    expect(lines.info).to.deep.equal([`grafana: ${expected.length + 3} annotations posted to ${grafana.url}`]);
  });

  it('Grafana answering 500 is logged once at the end, with every post tried', async () => {
    grafana.failWith = { status: 500, message: 'Failed to save annotation' };
    const lines = await playRun(grafana);
    // Every event, the end point, and the whole region again at the end (its opening post was lost).
    expect(grafana.receiver.requests).to.have.length(expected.length + 3);
    expect(lines.warn).to.have.length(1);
    expect(lines.warn[0]).to.match(
      /grafana: 13 of 13 annotations not posted .* for run r42 \(the run's outcome is unchanged\)/,
    );
    expect(lines.warn[0]).to.include('HTTP 500');
  });

  it('a refused token stops the posts after the first, and the token is in no log line', async () => {
    const lines = await playRun(grafana, { token: 'glsa_wrong_token' });
    expect(grafana.receiver.requests).to.have.length(1);
    expect(lines.warn).to.have.length(1);
    expect(lines.warn[0]).to.include('HTTP 401');
    expect(lines.warn[0]).to.include('the rest were not tried');
    expect(JSON.stringify(lines)).not.to.include('glsa_');
  });

  it('the region whose opening post was lost is posted whole at the end', async () => {
    grafana.failWith = { status: 503, message: 'Service unavailable' };
    const { log, lines } = recordingLog();
    const output = grafanaOutput({ url: grafana.url, token: grafana.token }, log);
    const sink = output.openRun!(plan, 'lab');
    sink(events[0]!);
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Wait (bounded) until the opening post was answered, then let Grafana recover.
    for (let i = 0; i < 200 && grafana.receiver.requests.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    grafana.failWith = undefined;
    await output.runConcluded!({ result: ended, where: 'reports/x', exitCode: 4, inSuite: false });
    const regions = [...grafana.annotations.values()].filter((a) => a.timeEnd !== a.time);
    expect(regions.map((a) => [a.time, a.timeEnd])).to.deep.equal([[t0, t0 + 45_000]]);
    expect(lines.warn[0]).to.match(/1 of 3 annotations not posted/);
  });
});

describe('--grafana: the token never comes from the command line', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'chaos-grafana-token-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const io = (env: NodeJS.ProcessEnv) =>
    ({ env, cwd: dir, out: () => undefined, err: () => undefined }) as unknown as CliIo;

  it('reads CHAOS_GRAFANA_TOKEN and takes it out of the environment children inherit', () => {
    const env: NodeJS.ProcessEnv = { CHAOS_GRAFANA_TOKEN: 'glsa_x' };
    expect(openOutputs({ grafana: 'https://grafana.example.com' }, io(env), 'test')).to.have.length(1);
    expect(env).not.to.have.property('CHAOS_GRAFANA_TOKEN');
  });

  it('refuses a missing token, a URL with credentials, an unreadable or malformed token file', () => {
    expect(() => openOutputs({ grafana: 'https://grafana.example.com' }, io({}), 'test')).to.throw(
      /--grafana needs a service account token: set CHAOS_GRAFANA_TOKEN or give --grafana-token-file/,
    );
    expect(() =>
      openOutputs({ grafana: 'https://admin:secret@grafana.example.com' }, io({ CHAOS_GRAFANA_TOKEN: 'x' }), 'test'),
    ).to.throw(/the URL carries credentials/);
    expect(() =>
      openOutputs({ grafana: 'https://grafana.example.com', grafanaTokenFile: 'missing' }, io({}), 'test'),
    ).to.throw(/--grafana-token-file missing: cannot read it \(ENOENT\)/);
    writeFileSync(path.join(dir, 'two'), 'glsa_a glsa_b\n');
    expect(() =>
      openOutputs({ grafana: 'https://grafana.example.com', grafanaTokenFile: 'two' }, io({}), 'test'),
    ).to.throw(/--grafana-token-file two: expected one token/);
    writeFileSync(path.join(dir, 'token'), 'glsa_from_file\n');
    expect(
      openOutputs({ grafana: 'https://grafana.example.com', grafanaTokenFile: 'token' }, io({}), 'test'),
    ).to.have.length(1);
    expect(() => openOutputs({ grafanaTokenFile: 'token' }, io({}), 'test')).to.throw(
      /--grafana-token-file needs --grafana URL/,
    );
  });
});
