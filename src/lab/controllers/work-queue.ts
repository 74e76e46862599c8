/**
 * A coalescing work queue, like client-go's: many triggers for one key between two runs
 * become one reconcile, and reconciles never run inside the store listener that triggered
 * them (which would re-enter the store's event loop).
 */

export type ControllerErrorHandler = (controller: string, key: string, error: unknown) => void;

export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly name: string,
    private readonly reconcile: (key: string) => void,
    private readonly onError: ControllerErrorHandler,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Re-queues a key after a delay (a timer the queue owns, cancelled by stop()). */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delayMs);
    this.timers.add(timer);
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      try {
        this.reconcile(key);
      } catch (error) {
        this.onError(this.name, key, error);
        // A failed reconcile (a conflict with a client's write, say) is retried shortly.
        this.addAfter(key, 50);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
  }
}
