/**
 * Every request the harness sends through k6 carries a sampled W3C `traceparent` with a new trace
 * id, and the run id as W3C baggage; a failed request's trace id comes back on its sample, so the
 * result can list the trace ids of failed requests. Real k6, the built-in load and a user script
 * through chaos/k6's `http`, against a loopback server that records each request's headers.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadSample } from '../../src/budgets/sample.js';
import type { LoadScriptConfig } from '../../src/load/k6-args.js';
import { requireK6, type K6Binary } from '../../src/load/k6-binary.js';
import { startK6 } from '../../src/load/k6-run.js';

const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('trace context on every k6 request (real k6)', function () {
  this.timeout(120_000);
  let k6: K6Binary;
  let server: Server;
  let base: string;
  let dir: string;
  const seen: Array<{ path: string; traceparent?: string; baggage?: string }> = [];

  before(async () => {
    k6 = await requireK6();
    server = createServer((request, response) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const url = request.url ?? '/';
      seen.push({ path: url, traceparent: header('traceparent'), baggage: header('baggage') });
      request.resume();
      request.on('end', () => {
        response.writeHead(url.endsWith('/fail') ? 503 : 200);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-trace-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (): LoadScriptConfig => ({
    ingresses: [
      { name: 'central', url: `${base}/central` },
      { name: 'west', url: `${base}/west` },
    ],
    ratePerSecond: 5,
    durationSeconds: 2,
    method: 'GET',
    paths: ['/', '/fail'],
    timeoutMs: 2000,
    preAllocatedVUs: 2,
    maxVUs: 4,
    servedBy: { kind: 'none' },
    runId: 'r-trace-1',
  });

  async function play(userScript?: string): Promise<LoadSample[]> {
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    const samples: LoadSample[] = [];
    let script: { file: string; metrics: string[] } | undefined;
    if (userScript) {
      script = { file: path.join(dir, 'script.ts'), metrics: [] };
      writeFileSync(script.file, userScript);
    }
    const run = startK6({ k6, runDir, config: config(), userScript: script, onSample: (s) => samples.push(s) });
    const { end, result } = await run.ended;
    run.samples.close();
    expect(end, result.stderr).to.deep.equal({ kind: 'completed' });
    return samples;
  }

  function expectTraced(samples: LoadSample[]): void {
    expect(seen.length).to.be.greaterThan(10);
    for (const request of seen) {
      expect(request.traceparent, request.path).to.match(traceparent);
      const [, traceId, parentId] = traceparent.exec(request.traceparent!)!;
      expect(traceId).not.to.match(/^0+$/);
      expect(parentId).not.to.match(/^0+$/);
      expect(request.baggage).to.equal('chaos.run_id=r-trace-1');
    }
    const sent = seen.map((request) => traceparent.exec(request.traceparent!)![1]!);
    expect(new Set(sent).size, 'a new trace per request').to.equal(sent.length);
    const requests = samples.filter((s): s is Extract<LoadSample, { kind: 'request' }> => s.kind === 'request');
    expect(requests.length).to.equal(seen.length);
    // A failed request's sample carries the trace id it was sent with (the 503s); a request that
    // did not fail carries none (the compact record keeps trace ids for failures only).
    expect(requests.filter((s) => !s.failed).every((s) => s.traceId === undefined)).to.equal(true);
    const failedSent = seen.filter((r) => r.path.endsWith('/fail')).map((r) => traceparent.exec(r.traceparent!)![1]);
    const failedSampled = requests.filter((s) => s.failed).map((s) => s.traceId);
    expect(new Set(failedSampled)).to.deep.equal(new Set(failedSent));
  }

  it('the built-in load: a sampled traceparent with a new trace id and the run id on every request', async () => {
    expectTraced(await play());
  });

  it('a traceparent the script sets itself is sent, and its trace id is the one recorded', async () => {
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const samples = await play(`
import { http } from 'chaos/k6';
export default function (): void {
  http.get('/fail', { headers: { TraceParent: '${own}' } });
}
`);
    expect(seen.length).to.be.greaterThan(5);
    expect(new Set(seen.map((r) => r.traceparent))).to.deep.equal(new Set([own]));
    const requests = samples.filter((s): s is Extract<LoadSample, { kind: 'request' }> => s.kind === 'request');
    // Every request went to /fail (503): each sample carries the script's own trace id.
    expect(new Set(requests.map((s) => s.traceId))).to.deep.equal(new Set(['0af7651916cd43dd8448eb211c80319c']));
  });

  it("a user script's requests through chaos/k6's http carry them too", async () => {
    expectTraced(
      await play(`
import { http } from 'chaos/k6';
export default function (): void {
  http.get('/');
  http.get('/fail');
}
`),
    );
  });
});
