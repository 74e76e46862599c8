/**
 * k6 JSON lines → samples: a stock k6/http request (a user's script sending through k6/http
 * itself) is read from k6's own http_req_duration point, its failure from k6's expected_response
 * tag (http_req_failed under the script's response callback). Lines written as k6 v2.2.0 writes
 * them (test/e2e/stock-script.test.ts runs the real k6).
 */
import { expect } from 'chai';
import { sampleParser, reachedServer } from '../../src/load/samples.js';

const point = (tags: Record<string, string>, value = 12.5, metadata?: Record<string, string>) =>
  JSON.stringify({
    metric: 'http_req_duration',
    type: 'Point',
    data: { time: '2026-12-07T10:00:01.500Z', value, tags, ...(metadata ? { metadata } : {}) },
  });

const base = { ingress: 'west', scenario: 'west', method: 'GET', name: 'home', url: 'home', status: '200' };

describe('samples: a stock k6/http request', () => {
  const parse = sampleParser({ stockHttp: true });

  it('is a request of its scenario’s ingress, sent duration before its end, with its own tags', () => {
    const sample = parse(point({ ...base, expected_response: 'true', journey: 'browse' }, 12.5));
    expect(sample).to.deep.equal({
      kind: 'request',
      timeMs: Date.parse('2026-12-07T10:00:01.500Z'),
      ingress: 'west',
      servedBy: 'not measured',
      status: 200,
      path: 'home',
      failed: false,
      durationMs: 12.5,
      sentMs: Date.parse('2026-12-07T10:00:01.500Z') - 12.5,
      reached: true,
      name: 'home',
      method: 'GET',
      tags: { journey: 'browse' },
    });
  });

  it("fails when k6's expected_response says so, whatever the status", () => {
    const at = (tags: Record<string, string>) => parse(point({ ...base, ...tags })) as { failed: boolean };
    // A 404 the script's callback expects: k6 counts no failure; a 200 it does not expect: a failure.
    expect(at({ status: '404', expected_response: 'true' }).failed).to.equal(false);
    expect(at({ status: '200', expected_response: 'false' }).failed).to.equal(true);
    // No callback (set to null): k6 records no http_req_failed; k6's default rule, 200–399.
    expect(at({ status: '500' }).failed).to.equal(true);
    expect(at({ status: '302' }).failed).to.equal(false);
  });

  it('takes the path from a full URL and tells an unreached server by k6’s error code', () => {
    const sample = parse(
      point(
        {
          ...base,
          name: 'http://10.0.0.1:8080/a/b?q=1',
          url: 'http://10.0.0.1:8080/a/b?q=1',
          status: '0',
          error_code: '1212',
          expected_response: 'false',
        },
        0,
      ),
    ) as { path: string; reached: boolean; failed: boolean };
    expect(sample.path).to.equal('/a/b');
    expect(sample.reached).to.equal(false);
    expect(sample.failed).to.equal(true);
    expect(reachedServer(0, 1050)).to.equal(true);
    expect(reachedServer(0, 1220)).to.equal(true);
    expect(reachedServer(0, 1100)).to.equal(false);
    expect(reachedServer(0, 1020)).to.equal(false);
  });

  it('skips a request chaos/k6 recorded itself (chaos_req), and every stock line for the built-in script', () => {
    expect(parse(point({ ...base, expected_response: 'true' }, 3, { chaos_recorded: '1' }))).to.equal(undefined);
    expect(sampleParser()(point({ ...base, expected_response: 'true' }))).to.equal(undefined);
  });
});
