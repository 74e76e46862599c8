/**
 * What a user's script gets when it imports `k6/metrics` under the harness (src/load/user-script.ts
 * points the import here): k6's Counter, Gauge, Rate and Trend, each value also written to the
 * compact record with the tags k6 would put on it, so a budget can judge any of them.
 */
import * as metrics from 'k6/metrics';
import exec from 'k6/execution';
import { config, ingressName, recorder, scriptTags } from './chaos-k6.ts';

type Inner = { name: string; add(value: number | boolean, tags?: Record<string, string>): void };

function recorded(Kind: new (name: string, isTime?: boolean) => Inner) {
  return class {
    readonly name: string;
    private readonly inner: Inner;

    constructor(name: string, isTime?: boolean) {
      this.inner = new Kind(name, isTime);
      this.name = name;
    }

    add(value: number | boolean, tags?: Record<string, string>): void {
      const log = recorder();
      const at = log.placed(Date.now());
      // In k6's raw output (--raw-samples) the value's point carries the time the record gives it.
      const metadata = config.raw ? exec.vu.metrics.metadata : undefined;
      if (metadata) metadata.at_ms = String(at);
      try {
        this.inner.add(value, tags);
      } finally {
        if (metadata) delete metadata.at_ms;
      }
      const own = { ...scriptTags(), ...(tags ?? {}) };
      log.metric(
        { t: 'm', ingress: ingressName(), metric: this.name, ...(Object.keys(own).length > 0 ? { tags: own } : {}) },
        Number(value),
        at,
      );
    }
  };
}

export const Counter = recorded(metrics.Counter as unknown as new (name: string) => Inner);
export const Gauge = recorded(metrics.Gauge as unknown as new (name: string) => Inner);
export const Rate = recorded(metrics.Rate as unknown as new (name: string) => Inner);
export const Trend = recorded(metrics.Trend as unknown as new (name: string, isTime?: boolean) => Inner);

export default { Counter, Gauge, Rate, Trend };
