/**
 * Pushes one run's series as they come: what arrives while a push is on its way waits for the
 * next one, so at most one request is open and each series' samples reach the receiver in time
 * order. A push that may work later (5xx, 429, no answer) is kept and tried again with the next
 * window; one the receiver refused (another 4xx) is dropped. Either is logged once per stretch of
 * failures, never thrown: the run goes on as if nothing happened.
 */
import type { SeriesSample } from '../../../report/metrics/run-series.js';
import { originOf } from '../../../system/http-send.js';
import type { PushAnswer } from './remote-write.js';

type Push = (samples: readonly SeriesSample[]) => Promise<PushAnswer>;

/** At most this many samples per request, and this many waiting (the oldest go first past it). */
const batchLimit = 10_000;
const waitingLimit = 200_000;

export class SeriesPusher {
  private waiting: SeriesSample[] = [];
  private sending: Promise<void> | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  private failing = false;
  pushed = 0;
  dropped = 0;
  lastError: string | null = null;

  constructor(
    private readonly url: string,
    private readonly push: Push,
    private readonly warn: (text: string) => void,
  ) {}

  /** Queues samples; the push starts once the current event has been handed to every sink. */
  add(samples: readonly SeriesSample[]): void {
    this.waiting.push(...samples);
    if (this.waiting.length > waitingLimit) {
      const excess = this.waiting.length - waitingLimit;
      this.waiting.splice(0, excess);
      this.dropped += excess;
    }
    if (!this.scheduled && !this.sending)
      this.scheduled = setImmediate(() => {
        this.scheduled = null;
        this.start();
      });
  }

  /** Pushes what waits (one more try for what failed before) and waits for the last request. */
  async flush(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    await this.sending;
    this.start();
    await this.sending;
  }

  private start(): void {
    if (this.sending || this.waiting.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, batchLimit);
      const answer = await this.push(batch);
      if (answer.ok) {
        this.pushed += batch.length;
        if (this.failing) this.warn(`chaos: Prometheus remote write to ${originOf(this.url)} works again`);
        this.failing = false;
        continue;
      }
      this.lastError = answer.error;
      if (!this.failing)
        this.warn(
          `chaos: Prometheus remote write failed (the run goes on, its outcome unchanged): ${answer.error}` +
            (answer.retry ? '; trying again with the next window' : '; the receiver refused these samples'),
        );
      this.failing = true;
      if (answer.retry) {
        this.waiting.unshift(...batch);
        return;
      }
      this.dropped += batch.length;
    }
  }

  /** Samples that never reached the receiver (refused, or still waiting after the last try). */
  get undelivered(): number {
    return this.dropped + this.waiting.length;
  }
}
