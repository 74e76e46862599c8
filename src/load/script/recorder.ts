/**
 * The compact record: how a k6 VU tells the harness what it measured, in a few bytes a request,
 * without k6's `--out json` (which costs k6 a large share of its speed and ≈ 5 KB a request).
 * Runs inside k6 (chaos-k6.ts and the k6 module wrappers use it) and in the harness's tests; it
 * imports nothing, so both can load it.
 *
 * Each VU keeps its records in a string and writes them as one console line (k6's
 * `--console-output` file, where k6 puts it in the `msg` of a logfmt line) when a batch is due;
 * a record line has no quote, backslash or line break, so logfmt leaves it as written:
 *
 *   chaos1 <vu> <base> <record> <record> …
 *
 * `base` is milliseconds since the run's epoch (the config's `epochMs`); a record's times are
 * milliseconds after `base` (negative allowed). Records:
 *
 *   k<id>=<URI-encoded JSON>   a key (what a request, check or metric value belongs to), once per VU
 *   r<key>,<sent>,<ns>,<status>,<flags>[,<trace id>]   a request: sent time, duration in integer
 *                              nanoseconds (k6's own resolution), HTTP status, flags (1 failed,
 *                              2 reached a server), and a failed request's W3C trace id
 *   i<key>,<start>             an iteration started
 *   c<key>,<at>,<0|1>          a check condition (at: the send time of the request it checks)
 *   m<key>,<at>,<value>        a value of the script's own metric (at: as a check's)
 *
 * Nothing is lost or rounded: counts are exact and durations keep k6's nanoseconds, so every
 * statistic the harness computes equals k6's (docs/measurement.md).
 */

/** What a record belongs to; interned per VU as `k<id>=…`. */
export type RecordKey =
  | {
      t: 'r';
      ingress: string;
      servedBy: string;
      name: string;
      method: string;
      path: string;
      tags?: Record<string, string>;
    }
  | { t: 'i'; ingress: string }
  | { t: 'c'; ingress: string; check: string; tags?: Record<string, string> }
  | { t: 'm'; ingress: string; metric: string; tags?: Record<string, string> };

export const recordLinePrefix = 'chaos1 ';

/** When a VU writes its batch: after `flushMs`, or at once when it may idle (see `due`). */
export interface RecorderOptions {
  vu: number;
  epochMs: number;
  write: (line: string) => void;
  now: () => number;
  flushMs?: number;
  /** Records kept before a write regardless of time (bounds a line's length). */
  maxRecords?: number;
}

export class Recorder {
  private readonly keys = new Map<string, number>();
  /** The iteration key's id per ingress. */
  private readonly iterationKeys: Record<string, number> = {};
  /** Key ids by the callers' cheap `same` strings. */
  private readonly fast = new Map<string, number>();
  /** The batch's records (joined when written: appending to one long string copies it each time in k6's JS engine). */
  private parts: string[] = [];
  private count = 0;
  private base = 0;
  private flushedAt: number;
  private readonly flushMs: number;
  private readonly maxRecords: number;
  /** The send time of the last request this VU made: a check is judged with the request it checks. */
  lastSentMs: number | undefined;

  constructor(private readonly options: RecorderOptions) {
    this.flushedAt = options.now();
    this.flushMs = options.flushMs ?? 200;
    this.maxRecords = options.maxRecords ?? 4096;
  }

  /**
   * `same`: a string equal for equal keys (cheaper than the key's JSON, which is only made the
   * first time), for the hot path of a request without tags of its own.
   */
  request(
    key: Extract<RecordKey, { t: 'r' }> | (() => Extract<RecordKey, { t: 'r' }>),
    sentMs: number,
    durationMs: number,
    status: number,
    flags: number,
    same?: string,
    traceId?: string,
  ) {
    this.lastSentMs = sentMs;
    const id = this.keyOf(key, same);
    const trace = traceId === undefined ? '' : `,${traceId}`;
    this.add(`r${id},${this.offset(sentMs)},${Math.round(durationMs * 1e6)},${status},${flags}${trace}`);
  }

  iteration(ingress: string, atMs: number): void {
    this.lastSentMs = undefined;
    const id = (this.iterationKeys[ingress] ??= this.keyOf({ t: 'i', ingress }));
    this.add(`i${id},${this.offset(atMs)}`);
  }

  check(key: Extract<RecordKey, { t: 'c' }>, passed: boolean, atMs: number): void {
    const at = this.placed(atMs);
    const id = this.keyOf(key, key.tags ? undefined : `c\u0000${key.ingress}\u0000${key.check}`);
    this.add(`c${id},${this.offset(at)},${passed ? 1 : 0}`);
  }

  /** A value of the script's metric, like a check with the request before it in its iteration. */
  metric(key: Extract<RecordKey, { t: 'm' }>, value: number, atMs: number): void {
    const at = this.placed(atMs);
    const id = this.keyOf(key, key.tags ? undefined : `m\u0000${key.ingress}\u0000${key.metric}`);
    this.add(`m${id},${this.offset(at)},${value}`);
  }

  /**
   * Where a check or a metric value made at `atMs` is placed: at the send time of the last request
   * of its iteration (what it checks or measures: its phase is the request's), else at `atMs`.
   */
  placed(atMs: number): number {
    return this.lastSentMs ?? atMs;
  }

  /**
   * Write the batch if it is due: after flushMs, or when `idle` says the VU may wait a long time
   * before it records again (asked only when the batch is not due by time: it may cost more).
   */
  flushIfDue(idle: boolean | (() => boolean) = false): void {
    if (this.count === 0) return;
    if (this.count >= this.maxRecords || this.options.now() - this.flushedAt >= this.flushMs) this.flush();
    else if (typeof idle === 'function' ? idle() : idle) this.flush();
  }

  flush(): void {
    this.flushedAt = this.options.now();
    if (this.count === 0) return;
    this.options.write(`${recordLinePrefix}${this.options.vu} ${this.base} ${this.parts.join(' ')}`);
    this.parts = [];
    this.count = 0;
  }

  private add(record: string): void {
    this.parts.push(record);
    this.count += 1;
    if (this.count >= this.maxRecords) this.flush();
  }

  /** Milliseconds after the batch's base; the first record of a batch sets the base. */
  private offset(atMs: number): number {
    const sinceEpoch = Math.round(atMs - this.options.epochMs);
    if (this.parts.length === 0) this.base = sinceEpoch;
    return sinceEpoch - this.base;
  }

  private keyOf(key: RecordKey | (() => RecordKey), same?: string): number {
    const known = same === undefined ? undefined : this.fast.get(same);
    if (known !== undefined) return known;
    const full = typeof key === 'function' ? key() : key;
    const text = JSON.stringify(full);
    let id = this.keys.get(text);
    if (id === undefined) {
      id = this.keys.size;
      this.keys.set(text, id);
      // A key is defined in the batch that first uses it; a batch with a key may also start with it.
      if (this.parts.length === 0) this.base = Math.round(this.options.now() - this.options.epochMs);
      this.parts.push(`k${id}=${encodeURIComponent(text)}`);
    }
    if (same !== undefined) this.fast.set(same, id);
    return id;
  }
}
