/**
 * Envoy's circuit breakers for one upstream cluster of one proxy: at most maxRequests in
 * flight (http2MaxRequests), at most maxConnections busy HTTP/1.1 connections (one request
 * each), then up to maxPending queued (http1MaxPendingRequests); anything more overflows
 * and the proxy answers 503 at once.
 */
import type { PoolPolicy } from './istio-config.js';

export type PoolTicket = { kind: 'granted'; release: () => void } | { kind: 'overflow' };

export class ConnectionPool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  async acquire(policy: PoolPolicy | undefined): Promise<PoolTicket> {
    if (!policy) return this.grant();
    if (this.active >= policy.maxRequests) return { kind: 'overflow' };
    if (this.active < policy.maxConnections) return this.grant();
    if (this.waiting.length >= policy.maxPending) return { kind: 'overflow' };
    // A queued request inherits the slot of the request that finishes (no increment).
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.ticket();
  }

  private grant(): PoolTicket {
    this.active += 1;
    return this.ticket();
  }

  private ticket(): PoolTicket {
    let released = false;
    return {
      kind: 'granted',
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        if (next) next();
        else this.active -= 1;
      },
    };
  }
}
