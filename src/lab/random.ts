/**
 * The lab's seeded random source (mulberry32). Every consumer forks its own stream by name,
 * so a fault's 20 % abort draws the same sequence however much traffic other parts see.
 */
import { seededRandom } from '../system/random.js';

function hashLabel(label: string): number {
  // FNV-1a: spreads similar labels ("pod-a", "pod-b") over unrelated seeds.
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class Random {
  /** A uniform float in [0, 1). */
  readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), Number.EPSILON);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** True with the given percentage (0–100). */
  percent(value: number): boolean {
    return value > 0 && this.next() * 100 < value;
  }

  /** An independent stream named `label`, reproducible from the same seed. */
  fork(label: string): Random {
    return new Random((this.seed ^ hashLabel(label)) >>> 0);
  }
}

/** Service time draw: lognormal from median and p99, or fixed plus uniform jitter. */
export type LatencyDistribution =
  { kind: 'lognormal'; medianMs: number; p99Ms: number } | { kind: 'fixed'; ms: number; jitterMs: number };

const z99 = 2.3263478740408408;

export function sampleLatency(distribution: LatencyDistribution, random: Random): number {
  switch (distribution.kind) {
    case 'lognormal': {
      const sigma = Math.log(Math.max(distribution.p99Ms, distribution.medianMs) / distribution.medianMs) / z99;
      return distribution.medianMs * Math.exp(sigma * random.normal());
    }
    case 'fixed':
      return Math.max(0, distribution.ms + (random.next() * 2 - 1) * distribution.jitterMs);
  }
}
