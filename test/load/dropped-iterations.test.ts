/**
 * Dropped iterations from k6's REST API (src/load/dropped-iterations.ts): a loopback server
 * answers `GET /v1/metrics` as k6 v2 does (the shape read from the real k6 in this round:
 * `{"data":[{"id":"dropped_iterations{scenario:central}","attributes":{"sample":{"count":…}}}]}`);
 * each look turns the increase per scenario into one sample of that scenario's ingress.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { followDroppedIterations } from '../../src/load/dropped-iterations.js';
import type { LoadSample } from '../../src/budgets/sample.js';

describe("dropped iterations from k6's REST API", () => {
  let server: Server;
  let counts: Record<string, number> = { central: 0, 'west-browse': 0, 'west-2-browse': 0 };
  const lookedUp: string[] = [];
  let url = '';

  before(async () => {
    server = createServer((request, response) => {
      const url = decodeURIComponent(request.url ?? '');
      if (url !== '/v1/metrics' && !url.startsWith('/v1/metrics/')) return response.writeHead(404).end();
      const data = [
        { id: 'dropped_iterations', attributes: { sample: { count: 999 } } },
        { id: 'iterations{scenario:central}', attributes: { sample: { count: 5 } } },
        ...Object.entries(counts).map(([scenario, count]) => ({
          id: `dropped_iterations{scenario:${scenario}}`,
          attributes: { sample: { count } },
        })),
      ];
      response.setHeader('content-type', 'application/json');
      if (url === '/v1/metrics') return response.end(JSON.stringify({ data }));
      // One metric by its id, as k6 answers GET /v1/metrics/<id> (404 for one it does not have).
      lookedUp.push(url.slice('/v1/metrics/'.length));
      const one = data.find((metric) => metric.id === url.slice('/v1/metrics/'.length));
      if (!one) return response.writeHead(404).end('{}');
      response.end(JSON.stringify({ data: one }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('counts each increase once, per ingress: a scenario named after it or <ingress>-<script scenario>', async () => {
    const samples: LoadSample[] = [];
    const total = (ingress: string) =>
      samples.reduce((sum, s) => sum + (s.kind === 'dropped' && s.ingress === ingress ? s.count : 0), 0);
    const totals = () => ({ central: total('central'), west: total('west'), 'west-2': total('west-2') });
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 500 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const follow = followDroppedIterations(url, ['central', 'west', 'west-2'], (sample) => samples.push(sample), 20);
    try {
      counts = { central: 3, 'west-browse': 1, 'west-2-browse': 4 };
      await until(() => total('central') === 3);
      counts = { central: 5, 'west-browse': 1, 'west-2-browse': 4 };
      await until(() => total('central') === 5);
      // Several more looks at unchanged counts add nothing.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      follow.stop();
    }
    expect(totals()).to.deep.equal({ central: 5, west: 1, 'west-2': 4 });
    // After the one listing, only the sub-metrics and http_reqs are asked for, one by one.
    expect(new Set(lookedUp)).to.deep.equal(
      new Set([
        'dropped_iterations{scenario:central}',
        'dropped_iterations{scenario:west-browse}',
        'dropped_iterations{scenario:west-2-browse}',
        'http_reqs',
      ]),
    );
    // The unscoped total (999) and other metrics are never counted.
    expect(samples.every((s) => s.kind === 'dropped')).to.equal(true);
  });
});
