/**
 * The harness's side of the compact record (script/recorder.ts writes it inside k6): console
 * lines → samples. A line that is not a record is the script's own console output and goes to
 * the log as it is. Keys are per VU (`chaos1 <vu> …`), defined in the line that first uses them.
 */
import { HarnessError } from '../errors/errors.js';
import type { LoadSample } from '../budgets/sample.js';
import { recordLinePrefix, type RecordKey } from './script/recorder.js';

export interface RecordReaderOptions {
  /** The run's epoch (the config's epochMs): record times are milliseconds after it. */
  epochMs: number;
  /** Maps a raw served-by value (a cluster name, or `addr:<ip:port>`) to a cluster. */
  servedBy?: (raw: string) => string;
  onSample: (sample: LoadSample) => void;
  /** A console line of the script's own. */
  onLog?: (line: string) => void;
}

export class RecordReader {
  private readonly keysByVu = new Map<string, Map<number, RecordKey>>();
  /** Records read (requests, iterations, checks, metric values). */
  records = 0;
  /** Unfinished last lines skipped (k6 stopped mid-write). */
  truncated = 0;

  constructor(private readonly options: RecordReaderOptions) {}

  line(line: string): void {
    const record = recordOf(line);
    if (record === undefined) {
      if (line.trim()) this.options.onLog?.(line);
      return;
    }
    const fields = record.split(' ');
    const [vu, baseText] = fields;
    const base = Number(baseText);
    if (!vu || !Number.isFinite(base)) throw unreadable(line, 'a record line starts with its VU and base time');
    let keys = this.keysByVu.get(vu);
    if (!keys) this.keysByVu.set(vu, (keys = new Map()));
    const originMs = this.options.epochMs + base;
    for (let i = 2; i < fields.length; i += 1) this.record(fields[i]!, keys, originMs, line);
  }

  /**
   * The file's last bytes when they end without a line break: k6 was stopped mid-write. A whole
   * record line is read; half a line is what a killed k6 leaves, skipped and counted.
   */
  tail(line: string): void {
    try {
      this.line(line);
    } catch {
      this.truncated += 1;
    }
  }

  private record(text: string, keys: Map<number, RecordKey>, originMs: number, line: string): void {
    const kind = text[0];
    if (kind === 'k') {
      const eq = text.indexOf('=');
      try {
        keys.set(Number(text.slice(1, eq)), JSON.parse(decodeURIComponent(text.slice(eq + 1))) as RecordKey);
      } catch {
        throw unreadable(line, `key "${text.slice(0, 80)}" is not JSON`);
      }
      return;
    }
    const parts = text.slice(1).split(',');
    const key = keys.get(Number(parts[0]));
    const atMs = originMs + Number(parts[1]);
    if (!key || key.t !== kind || !Number.isFinite(atMs)) throw unreadable(line, `record "${text}" has no known key`);
    const numbers = key.t === 'r' ? parts.slice(2, 5) : key.t === 'i' ? [] : parts.slice(2, 3);
    if (
      numbers.length !== { r: 3, i: 0, c: 1, m: 1 }[key.t] ||
      numbers.some((n) => n === '' || !Number.isFinite(Number(n)))
    )
      throw unreadable(
        line,
        `record "${text}" is not ${kind}<key>,<time>${key.t === 'r' ? ',<ns>,<status>,<flags>' : key.t === 'i' ? '' : ',<value>'} in numbers`,
      );
    this.records += 1;
    const sample = this.sampleOf(key, atMs, parts);
    if (sample) this.options.onSample(sample);
  }

  private sampleOf(key: RecordKey, atMs: number, parts: string[]): LoadSample | undefined {
    switch (key.t) {
      case 'i':
        return { kind: 'iteration', timeMs: atMs, ingress: key.ingress, count: 1 };
      case 'c':
        return {
          kind: 'check',
          timeMs: atMs,
          ingress: key.ingress,
          check: key.check,
          passed: parts[2] === '1',
          ...(key.tags ? { tags: key.tags } : {}),
        };
      case 'm':
        return {
          kind: 'metric',
          timeMs: atMs,
          ingress: key.ingress,
          metric: key.metric,
          value: Number(parts[2]),
          ...(key.tags ? { tags: key.tags } : {}),
        };
      case 'r': {
        const durationMs = Number(parts[2]) / 1e6;
        const flags = Number(parts[4]);
        return {
          kind: 'request',
          timeMs: atMs + durationMs,
          ingress: key.ingress,
          servedBy: this.options.servedBy ? this.options.servedBy(key.servedBy) : key.servedBy,
          status: Number(parts[3]),
          path: key.path,
          failed: (flags & 1) === 1,
          durationMs,
          sentMs: atMs,
          reached: (flags & 2) === 2,
          name: key.name,
          method: key.method,
          ...(key.tags ? { tags: key.tags } : {}),
          ...(parts[5] && /^[0-9a-f]{32}$/.test(parts[5]) ? { traceId: parts[5] } : {}),
        };
      }
    }
  }
}

/**
 * The record in a console line: k6 writes it as the `msg` of a logfmt line
 * (`time="…" level=info msg="chaos1 …"`, quoted as it has spaces, and never escaped: a record
 * has no quote or backslash); a line that is the record itself is read too.
 */
function recordOf(line: string): string | undefined {
  if (line.startsWith(recordLinePrefix)) return line.slice(recordLinePrefix.length);
  const at = line.indexOf(recordMessage);
  if (at < 0 || !line.startsWith('time=')) return undefined;
  const end = line.indexOf('"', at + recordMessage.length);
  return line.slice(at + recordMessage.length, end < 0 ? line.length : end);
}

const recordMessage = ` msg="${recordLinePrefix}`;

function unreadable(line: string, why: string): HarnessError {
  return new HarnessError(
    `k6 wrote a record line the harness cannot read (${why}): ${line.slice(0, 200)}`,
    'the script and the harness must be of the same chaos version',
  );
}
