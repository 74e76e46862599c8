/**
 * One remote-write request on the wire (a receiver on loopback): the headers remote write 1.0
 * requires, credentials in the URL sent as basic authentication and never in the address, and
 * which answers are worth trying again (5xx, 429, no answer) and which are not (another 4xx).
 */
import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { uncompress } from 'snappyjs';
import { pushSamples } from '../../src/play/outputs/prometheus/remote-write.js';
import { metricFamilies } from '../../src/report/metrics/metric-families.js';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe('a remote-write request', () => {
  let server: Server;
  let base: string;
  let status = 204;
  const seen: Seen[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(status).end(status >= 400 ? 'nope' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    status = 204;
  });

  const samples = [{ family: metricFamilies.windowErrors, labels: { run_id: 'r' }, value: 1, timestampMs: 5 }];

  it('carries the protocol headers and a snappy body; user:password in the URL is basic authentication', async () => {
    const answer = await pushSamples(`http://ops:s%3Acret@${base}/api/v1/write?tenant=a`, samples, {
      userAgent: 'chaos/9.9.9',
    });
    expect(answer).to.deep.equal({ ok: true });
    expect(seen).to.have.length(1);
    const [request] = seen;
    expect(request!.path).to.equal('/api/v1/write?tenant=a');
    expect(request!.headers['content-encoding']).to.equal('snappy');
    expect(request!.headers['content-type']).to.equal('application/x-protobuf');
    expect(request!.headers['x-prometheus-remote-write-version']).to.equal('0.1.0');
    expect(request!.headers['user-agent']).to.equal('chaos/9.9.9');
    expect(request!.headers.authorization).to.equal(`Basic ${Buffer.from('ops:s:cret').toString('base64')}`);
    expect(Buffer.from(uncompress(new Uint8Array(request!.body))).includes('chaos_window_errors')).to.equal(true);
  });

  it('5xx and 429 may heal (try again), another 4xx will not; neither throws', async () => {
    const tried: Array<[number, boolean]> = [];
    for (const code of [500, 503, 429, 400, 404]) {
      status = code;
      const answer = await pushSamples(`http://${base}/api/v1/write`, samples, { userAgent: 'chaos' });
      expect(answer.ok).to.equal(false);
      if (!answer.ok) {
        expect(answer.error).to.include(`HTTP ${code}`).and.include(`http://${base}`);
        tried.push([code, answer.retry]);
      }
    }
    expect(tried).to.deep.equal([
      [500, true],
      [503, true],
      [429, true],
      [400, false],
      [404, false],
    ]);
  });

  it('no receiver listening is an answer to try again, not an exception', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await pushSamples(`http://127.0.0.1:${port}/api/v1/write`, samples, { userAgent: 'chaos' });
    expect(answer.ok).to.equal(false);
    expect(!answer.ok && answer.retry).to.equal(true);
  });
});
