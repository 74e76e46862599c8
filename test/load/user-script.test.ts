/**
 * A user's k6 script under the harness, with the real k6: one scenario per ingress, setup once
 * per ingress, every request with its ingress, serving cluster, name and the script's tags,
 * k6 checks and the script's own metric — and k6's CSV output next to the harness's stream
 * (plain `csv=<file>` and k6's `csv=fileName=<file>,…` form).
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireK6, type K6Binary } from '../../src/load/k6-binary.js';
import { startK6 } from '../../src/load/k6-run.js';
import type { LoadScriptConfig } from '../../src/load/k6-args.js';
import { moduleTargets, prepareUserScript, rewriteImports } from '../../src/load/user-script.js';
import { typeCheckScript } from '../../src/load/type-check-script.js';
import type { LoadSample } from '../../src/budgets/sample.js';

const script = `
import { check } from 'k6';
import { Trend } from 'k6/metrics';
import { http, ingress } from 'chaos/k6';
import { pagePath } from './helpers.ts';

const pageMs = new Trend('page_ms', true);

export function setup(): { token: string } {
  const login = http.post('/login', { user: 'demo' }, { redirects: 0, tags: { name: 'login' } });
  check(login, { 'logged in': (r) => r.status === 302 });
  return { token: String(login.headers['X-Token'] ?? '') };
}

export default function (data: { token: string }): void {
  const page = http.get(pagePath, { headers: { authorization: data.token }, tags: { name: 'page', journey: 'browse' } });
  pageMs.add(page.timings.duration, { journey: 'browse' });
  check(page, { 'token of my ingress': (r) => String(r.body).includes('token-' + ingress().name) });
}
`;

describe('user k6 scripts under the harness (real k6)', function () {
  this.timeout(120_000);
  let k6: K6Binary;
  let server: Server;
  let base: string;
  let dir: string;
  const logins: string[] = [];

  before(async () => {
    k6 = await requireK6();
    // One listener stands for both ingresses: the first path segment says which.
    server = createServer((request, response) => {
      const [, ingress = '', rest = ''] = (request.url ?? '/').split('/');
      response.setHeader('x-served-by', ingress === 'central' ? 'west' : ingress);
      request.resume();
      request.on('end', () => {
        if (rest === 'login' && request.method === 'POST') {
          logins.push(ingress);
          response.writeHead(302, { location: `/${ingress}/page`, 'x-token': `token-${ingress}` });
          return response.end();
        }
        if (rest === 'missing' || rest === 'teapot') {
          response.writeHead(rest === 'missing' ? 404 : 418);
          return response.end();
        }
        // The body names the serving cluster (load.servedBy: { body }), except on /<ingress>/bare.
        const cluster = rest === 'bare' ? '' : `<footer>cluster=${ingress}</footer>`;
        response.end(`<p>${String(request.headers.authorization ?? 'none')}</p>${cluster}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-user-script-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (): LoadScriptConfig => ({
    ingresses: [
      { name: 'central', url: `${base}/central` },
      { name: 'west', url: `${base}/west` },
    ],
    ratePerSecond: 5,
    durationSeconds: 3,
    method: 'GET',
    paths: ['/'],
    timeoutMs: 2000,
    preAllocatedVUs: 2,
    maxVUs: 4,
    servedBy: { kind: 'header', header: 'x-served-by' },
  });

  it('runs setup once per ingress, then the script per ingress; requests, checks and its Trend reach the harness; csv lands in the run folder', async () => {
    const scriptFile = path.join(dir, 'journeys.ts');
    writeFileSync(scriptFile, script);
    writeFileSync(path.join(dir, 'helpers.ts'), "export const pagePath = '/page';\n");
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    const samples: LoadSample[] = [];
    const run = startK6({
      k6,
      runDir,
      config: config(),
      userScript: { file: scriptFile, metrics: ['page_ms'] },
      outputs: ['csv=k6.csv', 'csv=fileName=k6-pairs.csv,saveInterval=1s,timeFormat=rfc3339'],
      servedBy: (raw) => `mapped-${raw}`,
      onSample: (sample) => samples.push(sample),
    });
    const { end, result } = await run.ended;
    run.samples.close();
    expect(end, result.stderr).to.deep.equal({ kind: 'completed' });

    expect(logins.sort(), 'setup ran once per ingress').to.deep.equal(['central', 'west']);
    const requests = samples.filter((s) => s.kind === 'request');
    const pages = requests.filter((s) => s.name === 'page');
    // 5 iterations/s for 3 s per ingress: k6 starts 15 per ingress (a few may not finish).
    for (const ingress of ['central', 'west']) {
      const mine = pages.filter((s) => s.ingress === ingress);
      expect(mine.length, `${ingress} pages`).to.be.within(12, 16);
      expect(new Set(mine.map((s) => s.servedBy))).to.deep.equal(
        new Set([`mapped-${ingress === 'central' ? 'west' : ingress}`]),
      );
      expect(mine.every((s) => s.tags?.journey === 'browse' && s.path === '/page' && s.status === 200)).to.equal(true);
    }
    const loginSamples = requests.filter((s) => s.name === 'login');
    expect(loginSamples.map((s) => s.ingress).sort(), 'setup requests carry their ingress').to.deep.equal([
      'central',
      'west',
    ]);
    const checks = samples.filter((s) => s.kind === 'check');
    const tokenChecks = checks.filter((s) => s.check === 'token of my ingress');
    expect(tokenChecks.length).to.equal(pages.length);
    expect(
      tokenChecks.every((s) => s.passed),
      'each ingress got its own setup data',
    ).to.equal(true);
    expect(
      checks
        .filter((s) => s.check === 'logged in')
        .map((s) => s.ingress)
        .sort(),
    ).to.deep.equal(['central', 'west']);
    const trend = samples.filter((s) => s.kind === 'metric' && s.metric === 'page_ms');
    expect(trend.length).to.equal(pages.length);

    const csv = path.join(runDir, 'k6.csv');
    expect(existsSync(csv), 'k6 CSV next to the verdicts').to.equal(true);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).to.match(/^metric_name,timestamp,metric_value/);
    // k6's own key=value form: only fileName is moved into the run folder; its options still apply.
    const pairs = readFileSync(path.join(runDir, 'k6-pairs.csv'), 'utf8').trim().split('\n');
    expect(pairs[0]).to.match(/^metric_name,timestamp,metric_value/);
    const requestRows = pairs.filter((row) => row.startsWith('http_req_duration,'));
    expect(requestRows.length, 'a row per request').to.be.at.least(pages.length);
    expect(requestRows[0]?.split(',')[1], 'timeFormat=rfc3339 applied').to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it("marks each iteration's start, and counts a request failed as k6 does: by the script's expected statuses (issue 26, items 1 and 4)", async () => {
    const scriptFile = path.join(dir, 'statuses.ts');
    writeFileSync(
      scriptFile,
      `
import { http } from 'chaos/k6';
// 404 is expected everywhere; 418 only where a request says so.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 404));
export default function (): void {
  http.get('/missing', { tags: { name: 'missing' } });
  http.get('/teapot', { tags: { name: 'teapot-own' }, responseCallback: http.expectedStatuses(418) });
  http.get('/teapot', { tags: { name: 'teapot' } });
}
`,
    );
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    const samples: LoadSample[] = [];
    const run = startK6({
      k6,
      runDir,
      config: config(),
      userScript: { file: scriptFile, metrics: [] },
      servedBy: (raw) => raw,
      onSample: (sample) => samples.push(sample),
    });
    const { end, result } = await run.ended;
    run.samples.close();
    expect(end, result.stderr).to.deep.equal({ kind: 'completed' });
    const requests = samples.filter((s) => s.kind === 'request');
    const failedOf = (name: string) => new Set(requests.filter((s) => s.name === name).map((s) => s.failed));
    expect(failedOf('missing'), '404 is expected').to.deep.equal(new Set([false]));
    expect(failedOf('teapot-own'), "418 is this request's expected status").to.deep.equal(new Set([false]));
    expect(failedOf('teapot'), '418 is not expected by default').to.deep.equal(new Set([true]));
    // One chaos_iter point per iteration started, per ingress: as many as the iterations' first requests.
    for (const ingress of ['central', 'west']) {
      const started = samples.filter((s) => s.kind === 'iteration' && s.ingress === ingress);
      const first = requests.filter((s) => s.ingress === ingress && s.name === 'missing');
      expect(started.length, ingress).to.equal(first.length);
      expect(started.length, ingress).to.be.within(12, 16);
    }
  });

  const ownScenarios = (scenario: string) => `
import { check } from 'k6';
import { http, ingress } from 'chaos/k6';

export const options = { scenarios: { ${scenario} } };

export function setup(): { token: string } {
  const login = http.post('/login', { user: 'demo' }, { redirects: 0, tags: { name: 'login' } });
  return { token: String(login.headers['X-Token'] ?? '') };
}

export function browse(data: { token: string }): void {
  const page = http.get('/browse', { headers: { authorization: data.token }, tags: { name: 'browse' } });
  check(page, { 'token of my ingress': (r) => String(r.body).includes('token-' + ingress().name) });
}

export default function (): void {
  http.get('/default', { tags: { name: 'default' } });
}
`;

  async function runOwn(scenario: string) {
    const scriptFile = path.join(dir, 'own.ts');
    writeFileSync(scriptFile, ownScenarios(scenario));
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    const samples: LoadSample[] = [];
    const logs: string[] = [];
    const run = startK6({
      k6,
      runDir,
      config: { ...config(), phasesSeconds: 3 },
      userScript: { file: scriptFile, metrics: [] },
      servedBy: (raw) => raw,
      onSample: (sample) => samples.push(sample),
      onLog: (line) => logs.push(line),
    });
    const { end, result } = await run.ended;
    run.samples.close();
    return { end, stderr: result.stderr, samples, logs };
  }

  it("runs a script's own scenario once per ingress through the function its exec names, with that ingress's setup data, fitted to the run", async () => {
    // Declared for 1 s at 5/s: fitted to the run's 3 s of phases, with a warning that says so.
    const { end, stderr, samples, logs } = await runOwn(
      "browse: { executor: 'constant-arrival-rate', exec: 'browse', rate: 5, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, maxVUs: 4 }",
    );
    expect(end, stderr).to.deep.equal({ kind: 'completed' });
    const requests = samples.filter((s) => s.kind === 'request');
    expect(
      requests.filter((s) => s.name === 'default'),
      'nothing from default',
    ).to.deep.equal([]);
    for (const ingress of ['central', 'west']) {
      const browsed = requests.filter((s) => s.name === 'browse' && s.ingress === ingress);
      expect(browsed.length, `${ingress} browse requests over the run's 3 s`).to.be.within(12, 16);
      expect(browsed.every((s) => s.path === '/browse' && s.status === 200)).to.equal(true);
    }
    const checks = samples.filter((s) => s.kind === 'check' && s.check === 'token of my ingress');
    expect(checks.length).to.equal(requests.filter((s) => s.name === 'browse').length);
    expect(
      checks.every((s) => s.kind === 'check' && s.passed),
      'each ingress got its own setup data',
    ).to.equal(true);
    const fitted = logs.filter((line) => line.includes('options.scenarios.browse.duration'));
    expect(fitted, logs.join('\n')).to.have.length(1);
    expect(fitted[0]).to.include("1s (from 0s) replaced by the run's: the load lasts until the phases end (3s)");
  });

  it('refuses, before any load, own scenarios that would end before the phases or name no exported function', async () => {
    const refusals: Array<[string, string]> = [
      [
        "ramp: { executor: 'ramping-vus', exec: 'browse', stages: [{ duration: '2s', target: 2 }] }",
        "options.scenarios.ramp.stages: they last 2s (startTime included) but the run's phases last 3s",
      ],
      [
        "once: { executor: 'shared-iterations', exec: 'browse', iterations: 5 }",
        'options.scenarios.once.executor: shared-iterations ends when its iterations are done',
      ],
      [
        "pay: { executor: 'constant-vus', exec: 'pay', vus: 1, duration: '3s' }",
        "options.scenarios.pay.exec: the script exports no function 'pay'",
      ],
    ];
    for (const [scenario, message] of refusals) {
      rmSync(path.join(dir, 'run'), { recursive: true, force: true });
      const { end, samples } = await runOwn(scenario);
      expect(end.kind, scenario).to.equal('script-error');
      expect(end.kind === 'script-error' && end.message, scenario).to.include(message);
      expect(
        samples.filter((s) => s.kind === 'request'),
        'no request sent',
      ).to.deep.equal([]);
    }
  });

  it('reads the serving cluster from the body with load.servedBy.body: its first group, or unknown when it does not match', async () => {
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    const samples: LoadSample[] = [];
    const run = startK6({
      k6,
      runDir,
      // The built-in load, which keeps bodies only for this kind.
      config: { ...config(), paths: ['/page', '/bare'], servedBy: { kind: 'body', pattern: 'cluster=(\\w+)<' } },
      servedBy: (raw) => raw,
      onSample: (sample) => samples.push(sample),
    });
    const { end, result } = await run.ended;
    run.samples.close();
    expect(end, result.stderr).to.deep.equal({ kind: 'completed' });
    const requests = samples.filter((s) => s.kind === 'request');
    for (const ingress of ['central', 'west']) {
      const mine = requests.filter((s) => s.ingress === ingress);
      expect(mine.length, `${ingress} requests`).to.be.within(12, 16);
      const servedBy = (at: string) => new Set(mine.filter((s) => s.path === at).map((s) => s.servedBy));
      expect(servedBy('/page'), `${ingress} /page`).to.deep.equal(new Set([ingress]));
      expect(servedBy('/bare'), `${ingress} /bare`).to.deep.equal(new Set(['unknown']));
    }
  });

  it('points chaos/k6 and k6, k6/http, k6/metrics at our modules and relative imports where asked, leaving other k6 modules alone', () => {
    const source = [
      "import http from 'k6/http';",
      "import { check } from 'k6';",
      "import { Trend } from 'k6/metrics';",
      "import exec from 'k6/execution';",
      "import { http as h } from 'chaos/k6';",
      "import { x } from './lib/x.ts';",
      "export { y } from '../y.ts';",
      '',
    ].join('\n');
    const targets = moduleTargets('/pkg/chaos-k6.ts');
    expect(rewriteImports(source, targets, (specifier) => `/copy/${specifier.replace(/^\.+\//, '')}`)).to.equal(
      [
        "import http from '/pkg/k6-http.ts';",
        "import { check } from '/pkg/k6-core.ts';",
        "import { Trend } from '/pkg/k6-metrics.ts';",
        "import exec from 'k6/execution';",
        "import { http as h } from '/pkg/chaos-k6.ts';",
        "import { x } from '/copy/lib/x.ts';",
        "export { y } from '/copy/y.ts';",
        '',
      ].join('\n'),
    );
  });

  it('type-checks a script against @types/k6 and chaos/k6 and gives each error its file:line:col', () => {
    const good = path.join(dir, 'good.ts');
    writeFileSync(good, script.replace("import { pagePath } from './helpers.ts';", "const pagePath = '/page';"));
    expect(typeCheckScript(good)).to.deep.equal([]);
    const bad = path.join(dir, 'bad.ts');
    writeFileSync(bad, "import { http } from 'chaos/k6';\n\nexport default function (): void {\n  http.get(42);\n}\n");
    const problems = typeCheckScript(bad);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.include({ file: bad, line: 4, column: 12 });
    expect(problems[0]?.message).to.match(/^TS2345: Argument of type 'number'/);
  });
});

describe('a user script copied for k6 (no k6 needed)', () => {
  it('copies the script and every module it reaches by a relative path, each with its k6 imports pointed at the recording modules', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'chaos-copy-'));
    try {
      const scripts = path.join(root, 'load');
      mkdirSync(path.join(scripts, 'lib'), { recursive: true });
      mkdirSync(path.join(root, 'shared'), { recursive: true });
      writeFileSync(path.join(scripts, 'main.ts'), "import { go } from './lib/go.ts';\nexport default go;\n");
      writeFileSync(
        path.join(scripts, 'lib', 'go.ts'),
        "import http from 'k6/http';\nimport { base } from '../../shared/base.ts';\nexport function go() { http.get(base()); }\n",
      );
      writeFileSync(
        path.join(root, 'shared', 'base.ts'),
        "import { check } from 'k6';\nexport const base = () => __ENV.BASE_URL;\n",
      );
      const runDir = path.join(root, 'run');
      const entry = prepareUserScript(path.join(scripts, 'main.ts'), '/pkg/chaos-k6.ts', runDir);
      const copy = path.join(runDir, 'k6-script');
      expect(readFileSync(entry, 'utf8')).to.include(`import * as user from '${path.join(copy, 'main.ts')}'`);
      expect(readFileSync(path.join(copy, 'main.ts'), 'utf8')).to.include(`from '${path.join(copy, 'lib', 'go.ts')}'`);
      const go = readFileSync(path.join(copy, 'lib', 'go.ts'), 'utf8');
      expect(go).to.include("import http from '/pkg/k6-http.ts'");
      // A module outside the script's folder is copied under _outside/, at its absolute path.
      const outside = path.join(copy, '_outside', root, 'shared', 'base.ts');
      expect(go).to.include(`from '${outside}'`);
      expect(readFileSync(outside, 'utf8')).to.include("import { check } from '/pkg/k6-core.ts'");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
