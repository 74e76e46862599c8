/**
 * Prometheus remote write 1.0: series as a `prometheus.WriteRequest` protobuf (the messages of
 * Prometheus's prompb/types.proto and remote.proto that carry samples), snappy block-compressed,
 * POSTed with the headers the specification requires. One request never throws: the caller gets
 * whether it landed, and whether sending it again may help (the specification: retry on 5xx and
 * 429, never on another 4xx, whose data the receiver will refuse again).
 */
import protobuf from 'protobufjs/light.js';
import { compress } from 'snappyjs';
import { sampleName } from '../../../report/metrics/metric-families.js';
import type { SeriesSample } from '../../../report/metrics/run-series.js';
import { originOf } from '../../../system/http-send.js';

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const writeRequestType = root.lookupType('prometheus.WriteRequest');

interface TimeSeries {
  labels: Array<{ name: string; value: string }>;
  samples: Array<{ value: number; timestamp: number }>;
}

/**
 * Samples grouped into time series: labels sorted by name with `__name__` among them (the
 * specification asks for sorted labels and no empty values), each series' samples in time order.
 */
export function timeSeriesOf(samples: readonly SeriesSample[]): TimeSeries[] {
  const series = new Map<string, TimeSeries>();
  for (const sample of samples) {
    const labels = Object.entries({ ...sample.labels, __name__: sampleName(sample.family) })
      .filter(([, value]) => value !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => ({ name, value }));
    const key = JSON.stringify(labels);
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { labels, samples: [] }));
    entry.samples.push({ value: sample.value, timestamp: Math.round(sample.timestampMs) });
  }
  for (const entry of series.values()) entry.samples.sort((a, b) => a.timestamp - b.timestamp);
  return [...series.values()];
}

/** The request body: the WriteRequest's protobuf bytes, snappy block format (not the framed one). */
export function encodeWriteRequest(samples: readonly SeriesSample[]): Uint8Array {
  const message = writeRequestType.fromObject({ timeseries: timeSeriesOf(samples) });
  return compress(writeRequestType.encode(message).finish());
}

/** user:password in the URL (fetch refuses URLs with credentials) become HTTP basic authentication. */
function withoutCredentials(url: string): { address: string; authorization?: string } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { address: url };
  const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { address: parsed.href, authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

export type PushAnswer = { ok: true } | { ok: false; retry: boolean; error: string };

export async function pushSamples(
  url: string,
  samples: readonly SeriesSample[],
  options: { userAgent: string; timeoutMs?: number },
): Promise<PushAnswer> {
  const where = `POST ${originOf(url)}`;
  try {
    const { address, authorization } = withoutCredentials(url);
    const response = await fetch(address, {
      method: 'POST',
      headers: {
        ...(authorization ? { authorization } : {}),
        'content-encoding': 'snappy',
        'content-type': 'application/x-protobuf',
        'user-agent': options.userAgent,
        'x-prometheus-remote-write-version': '0.1.0',
      },
      body: encodeWriteRequest(samples) as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const body = await response.text();
    if (response.ok) return { ok: true };
    const retry = response.status >= 500 || response.status === 429;
    return { ok: false, retry, error: `${where}: HTTP ${response.status} ${body.trim().slice(0, 300)}` };
  } catch (error) {
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    return { ok: false, retry: true, error: `${where}: ${cause || String(error)}` };
  }
}
