/**
 * The compact record, both ends: what a VU writes (src/load/script/recorder.ts, the same file k6
 * loads) read back by the harness (src/load/records.ts). Expected samples are written out from
 * the format's rule by hand: times are milliseconds after the run's epoch, durations k6's
 * nanoseconds, keys per VU, and a check or a metric value sits at the send time of the request
 * its iteration made before it (issue 26, item 3: in its request's phase).
 */
import { expect } from 'chai';
import { Recorder } from '../../src/load/script/recorder.js';
import { RecordReader } from '../../src/load/records.js';
import type { LoadSample } from '../../src/budgets/sample.js';
import { k6Percentile } from '../../src/budgets/stats.js';

const epochMs = 1_765_000_000_000;

function pair(vu = 1) {
  const lines: string[] = [];
  let clock = epochMs + 1_000;
  const recorder = new Recorder({ vu, epochMs, write: (line) => lines.push(line), now: () => clock, flushMs: 200 });
  const samples: LoadSample[] = [];
  const logs: string[] = [];
  const reader = new RecordReader({
    epochMs,
    servedBy: (raw) => (raw === 'addr:127.1.0.3:8080' ? 'central' : raw),
    onSample: (sample) => samples.push(sample),
    onLog: (line) => logs.push(line),
  });
  return { lines, recorder, reader, samples, logs, tick: (ms: number) => (clock += ms) };
}

const home = {
  t: 'r' as const,
  ingress: 'central',
  servedBy: 'addr:127.1.0.3:8080',
  name: 'home',
  method: 'GET',
  path: '/home',
  tags: { journey: 'browse now' },
};

describe('the compact record', () => {
  it('gives back every request, iteration, check and metric value exactly, keys and all', () => {
    const { lines, recorder, reader, samples } = pair();
    recorder.iteration('central', epochMs + 1_000);
    // k6's duration of a request that took 12 345 678 ns, as k6 computes it: ns / 1e6.
    recorder.request(home, epochMs + 1_002, 12_345_678 / 1e6, 200, 2);
    recorder.check({ t: 'c', ingress: 'central', check: 'balance shown' }, true, epochMs + 1_015);
    recorder.metric(
      { t: 'm', ingress: 'central', metric: 'home_ms', tags: { journey: 'browse now' } },
      12.5,
      epochMs + 1_016,
    );
    recorder.request({ ...home, servedBy: 'unknown', tags: undefined }, epochMs + 1_020, 0, 0, 1);
    recorder.flush();
    expect(lines).to.have.length(1);
    for (const line of lines) reader.line(line);
    expect(samples).to.deep.equal([
      { kind: 'iteration', timeMs: epochMs + 1_000, ingress: 'central', count: 1 },
      {
        kind: 'request',
        timeMs: epochMs + 1_002 + 12.345678,
        ingress: 'central',
        servedBy: 'central',
        status: 200,
        path: '/home',
        failed: false,
        durationMs: 12.345678,
        sentMs: epochMs + 1_002,
        reached: true,
        name: 'home',
        method: 'GET',
        tags: { journey: 'browse now' },
      },
      // At the send time of the request it checks (1 002), not when the check ran (1 015).
      { kind: 'check', timeMs: epochMs + 1_002, ingress: 'central', check: 'balance shown', passed: true },
      // A metric value too: with the request its iteration made before it.
      {
        kind: 'metric',
        timeMs: epochMs + 1_002,
        ingress: 'central',
        metric: 'home_ms',
        value: 12.5,
        tags: { journey: 'browse now' },
      },
      {
        kind: 'request',
        timeMs: epochMs + 1_020,
        ingress: 'central',
        servedBy: 'unknown',
        status: 0,
        path: '/home',
        failed: true,
        durationMs: 0,
        sentMs: epochMs + 1_020,
        reached: false,
        name: 'home',
        method: 'GET',
      },
    ]);
    expect(reader.records).to.equal(5);
  });

  it('keeps k6’s durations to the nanosecond: every value read back equals the value written', () => {
    const { recorder, reader, samples, lines } = pair();
    const written: number[] = [];
    for (let i = 0; i < 2_000; i += 1) {
      // Durations as k6 makes them (integer ns / 1e6), from sub-millisecond to tens of seconds.
      const ns = Math.floor(Math.exp((i / 2_000) * Math.log(30e9))) + i;
      written.push(ns / 1e6);
      recorder.request(home, epochMs + 5_000 + i, ns / 1e6, 200, 2);
    }
    recorder.flush();
    for (const line of lines) reader.line(line);
    const read = samples.flatMap((s) => (s.kind === 'request' ? [s.durationMs] : []));
    expect(read).to.deep.equal(written);
  });

  it('writes a batch when it is due: after flushMs, at once when the VU may idle, never an empty line', () => {
    const { recorder, lines, tick } = pair();
    recorder.flushIfDue(true);
    expect(lines).to.have.length(0);
    recorder.request(home, epochMs + 1_000, 1, 200, 2);
    recorder.flushIfDue();
    expect(lines, 'not yet due').to.have.length(0);
    tick(200);
    recorder.flushIfDue();
    expect(lines, 'due after 200 ms').to.have.length(1);
    recorder.request(home, epochMs + 1_300, 1, 200, 2);
    recorder.flushIfDue(true);
    expect(lines, 'idle: at once').to.have.length(2);
  });

  it('reads keys per VU: two VUs may give the same id to different keys', () => {
    const a = pair(1);
    const b = pair(2);
    a.recorder.request(home, epochMs + 1_000, 1, 200, 2);
    b.recorder.request({ ...home, ingress: 'west', servedBy: 'west' }, epochMs + 1_000, 1, 503, 3);
    a.recorder.flush();
    b.recorder.flush();
    const { reader, samples } = pair();
    reader.line(a.lines[0]!);
    reader.line(b.lines[0]!);
    expect(samples.map((s) => (s.kind === 'request' ? `${s.ingress} ${s.status} ${s.failed}` : ''))).to.deep.equal([
      'central 200 false',
      'west 503 true',
    ]);
  });

  it("hands the script's own console lines to the log and refuses a record it cannot read", () => {
    const { reader, logs } = pair();
    reader.line('hello from the script');
    reader.line('');
    expect(logs).to.deep.equal(['hello from the script']);
    expect(() => reader.line('chaos1 3 100 r7,1,1000,200,2')).to.throw(/cannot read.*no known key/);
  });
});

describe('the compact record, read badly', () => {
  const reader = () => new RecordReader({ epochMs, onSample: () => undefined });

  it('refuses a record whose numbers are not numbers, or a key that is not JSON, naming the line', () => {
    const key = 'k0={"t":"r","ingress":"c","servedBy":"c","name":"/","method":"GET","path":"/"}';
    expect(() => reader().line(`chaos1 1 0 ${key} r0,0,slow,200,2`)).to.throw(/cannot read.*r0,0,slow/);
    expect(() => reader().line(`chaos1 1 0 ${key} r0,0,1000,200`)).to.throw(/cannot read/);
    expect(() => reader().line('chaos1 1 0 k0={"t":"r","ingr')).to.throw(/cannot read.*not JSON/);
  });

  it('skips and counts half a last line (k6 stopped mid-write), but reads a whole one', () => {
    const samples: LoadSample[] = [];
    const r = new RecordReader({ epochMs, onSample: (s) => samples.push(s) });
    r.tail('chaos1 1 0 k0={"t":"r","ingr');
    expect(r.truncated).to.equal(1);
    r.tail('chaos1 1 0 k0={"t":"i","ingress":"west"} i0,5');
    expect(samples).to.deep.equal([{ kind: 'iteration', timeMs: epochMs + 5, ingress: 'west', count: 1 }]);
  });
});

describe('the compact record in k6’s console output', () => {
  it('is read from the msg of the logfmt line k6 writes, and any other console line goes to the log whole', () => {
    const { recorder, lines } = pair();
    recorder.request({ ...home, tags: { journey: 'a "quoted" \\ tag' } }, epochMs + 1_000, 2, 200, 2);
    recorder.flush();
    // A record has nothing logfmt would escape (no quote, backslash or line break).
    expect(lines[0]).to.not.match(/["\\\n]/);
    const samples: LoadSample[] = [];
    const logs: string[] = [];
    const reader = new RecordReader({ epochMs, onSample: (s) => samples.push(s), onLog: (l) => logs.push(l) });
    reader.line(`time="2026-12-07T18:00:00Z" level=info msg="${lines[0]}" source=console`);
    reader.line('time="2026-12-07T18:00:00Z" level=info msg="my own line" source=console');
    expect(samples.map((s) => (s.kind === 'request' ? s.tags : undefined))).to.deep.equal([
      { journey: 'a "quoted" \\ tag' },
    ]);
    expect(logs).to.deep.equal(['time="2026-12-07T18:00:00Z" level=info msg="my own line" source=console']);
  });
});

describe('records of several runners merge exactly (distributed load, issue 25 criterion 5)', () => {
  for (const runners of [2, 4, 7]) {
    it(`${runners} runners: every percentile equals one runner's over the same requests`, () => {
      // 7 000 requests of known durations (k6's ns / 1e6), as one runner would send them.
      const durations = Array.from({ length: 7_000 }, (_, i) => (1_000_000 + ((i * 7_919) % 3_000_017) * 997) / 1e6);
      const read = (split: number): number[] => {
        const values: number[] = [];
        for (let runner = 0; runner < split; runner += 1) {
          // Each runner has its own VUs (ids from 1, as k6 numbers them per instance) and its own reader.
          const lines: string[] = [];
          const vus = [1, 2, 3].map(
            (vu) =>
              new Recorder({ vu, epochMs, write: (line) => lines.push(line), now: () => epochMs, maxRecords: 50 }),
          );
          durations.forEach((ms, i) => {
            if (i % split === runner) vus[i % 3]!.request(home, epochMs + i, ms, 200, 2);
          });
          for (const vu of vus) vu.flush();
          const reader = new RecordReader({
            epochMs,
            onSample: (s) => (s.kind === 'request' ? values.push(s.durationMs) : undefined),
          });
          for (const line of lines) reader.line(line);
        }
        return values.sort((a, b) => a - b);
      };
      const one = read(1);
      const merged = read(runners);
      expect(merged.length).to.equal(durations.length);
      for (const q of [50, 90, 95, 99, 99.9, 100])
        expect(k6Percentile(merged, q), `p(${q})`).to.equal(k6Percentile(one, q));
      expect(merged).to.deep.equal([...durations].sort((a, b) => a - b));
    });
  }
});

describe('a failed request’s trace id in the compact record', () => {
  it('travels with the failed request only, and comes back as its traceId', () => {
    const { recorder, reader, samples, lines } = pair();
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    recorder.request(home, epochMs + 1_000, 1, 503, 3, undefined, trace);
    recorder.request(home, epochMs + 1_001, 1, 200, 2);
    recorder.flush();
    expect(lines[0]!.split(trace)).to.have.length(2);
    for (const line of lines) reader.line(line);
    expect(samples.map((s) => (s.kind === 'request' ? s.traceId : 'none'))).to.deep.equal([trace, undefined]);
  });
});
