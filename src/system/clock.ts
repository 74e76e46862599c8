/**
 * The clock for durations: milliseconds that never step back or jump (an NTP step, a changed
 * system time), unlike Date.now(). Near the wall clock at process start, drifting from it as the
 * wall clock is corrected: times written for people use Date.now(), durations and deadlines of
 * one process use this.
 */
export function monotonicMs(): number {
  return performance.timeOrigin + performance.now();
}
