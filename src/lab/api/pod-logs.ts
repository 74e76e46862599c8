/**
 * What `kubectl logs` reads: each Pod's access log, kept in memory per Pod (bounded: the
 * newest lines only, like a kubelet's rotated log) and dropped with the Pod.
 */
const podLogLimit = 2_000;

export class PodLogs {
  private readonly lines = new Map<string, string[]>();

  constructor(private readonly limit = podLogLimit) {}

  append(namespace: string, pod: string, line: string): void {
    const key = `${namespace}/${pod}`;
    let lines = this.lines.get(key);
    if (!lines) this.lines.set(key, (lines = []));
    lines.push(line);
    if (lines.length > this.limit) lines.splice(0, lines.length - this.limit);
  }

  read(namespace: string, pod: string): readonly string[] {
    return this.lines.get(`${namespace}/${pod}`) ?? [];
  }

  forget(namespace: string, pod: string): void {
    this.lines.delete(`${namespace}/${pod}`);
  }
}
