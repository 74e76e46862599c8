/**
 * The run's clock of spans: judged phases, and the transitions between them (the time from a
 * fault's API call until the data plane has it, and from the revert's call until it is gone).
 * A transition's end is known only once the fault has converged, which is in the past by the
 * time the runner learns it; samples that arrive while a transition is open are held and
 * assigned when it ends, so each lands in the span it was sent in.
 */
type SpanKind = 'phase' | 'transition';

export interface Span {
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs?: number;
  /** Transitions: the phase whose faults are applied or reverted, and which. */
  phase?: string;
  stage?: 'apply' | 'revert';
}

/** A transition's name in results and reports: `<phase>:apply` or `<phase>:revert`. */
export function transitionName(phase: string, stage: 'apply' | 'revert'): string {
  return `${phase}:${stage}`;
}

export class SpanClock<T> {
  readonly spans: Span[] = [];
  private held: T[] = [];

  /** `release` gets every held item once the open transition has ended. */
  constructor(private readonly release: (item: T) => void) {}

  open(span: Omit<Span, 'endMs'>): void {
    const current = this.spans[this.spans.length - 1];
    // A span never ends before it starts, nor starts before the previous one did.
    const startMs = current ? Math.max(current.startMs, span.startMs) : span.startMs;
    if (current && current.endMs === undefined) current.endMs = startMs;
    this.spans.push({ ...span, startMs });
    this.flush();
  }

  close(atMs: number): void {
    const current = this.spans[this.spans.length - 1];
    if (current && current.endMs === undefined) current.endMs = Math.max(current.startMs, atMs);
    this.flush();
  }

  /** True when the item must wait: a transition is open and its end is not known yet. */
  hold(item: T): boolean {
    const current = this.spans[this.spans.length - 1];
    if (current?.kind !== 'transition' || current.endMs !== undefined) return false;
    this.held.push(item);
    return true;
  }

  at(timeMs: number): Span | undefined {
    for (let i = this.spans.length - 1; i >= 0; i -= 1) {
      const span = this.spans[i]!;
      if (timeMs >= span.startMs) return span.endMs === undefined || timeMs < span.endMs ? span : undefined;
    }
    return undefined;
  }

  private flush(): void {
    const current = this.spans[this.spans.length - 1];
    if (current?.kind === 'transition' && current.endMs === undefined) return;
    const held = this.held;
    this.held = [];
    for (const item of held) this.release(item);
  }
}
