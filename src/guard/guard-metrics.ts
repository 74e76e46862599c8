/** The guard's counters, and their Prometheus text exposition (format 0.0.4), per cluster. */

export interface ClusterCounters {
  runsSeen: Set<string>;
  runsReverted: number;
  revertsDone: number;
  revertFailures: number;
  leader: boolean;
  reconciles: number;
  /** What the last pass could not scan (a kind not allowed, an API error). */
  scanProblems: number;
  /** When the last pass over the cluster finished; undefined before the first. */
  lastPassAtMs?: number;
  /**
   * When a pass in progress last finished something (an object reverted and verified, or failed):
   * a pass verifying N reverts one by one is slow, not stuck.
   */
  lastProgressAtMs?: number;
}

export class GuardMetrics {
  readonly clusters = new Map<string, ClusterCounters>();

  of(cluster: string): ClusterCounters {
    let counters = this.clusters.get(cluster);
    if (!counters) {
      const zero = { runsReverted: 0, revertsDone: 0, revertFailures: 0, reconciles: 0, scanProblems: 0 };
      counters = { runsSeen: new Set(), leader: false, ...zero };
      this.clusters.set(cluster, counters);
    }
    return counters;
  }

  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge', help: string, value: (c: ClusterCounters) => number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [cluster, counters] of [...this.clusters].sort(([a], [b]) => a.localeCompare(b)))
        lines.push(`${name}{cluster="${cluster.replace(/["\\\n]/g, '_')}"} ${value(counters)}`);
    };
    family(
      'chaos_guard_runs_seen_total',
      'counter',
      'Runs whose mutations the guard has seen.',
      (c) => c.runsSeen.size,
    );
    family(
      'chaos_guard_runs_reverted_total',
      'counter',
      'Runs whose mutations the guard reverted.',
      (c) => c.runsReverted,
    );
    family(
      'chaos_guard_reverts_total',
      'counter',
      'Mutations reverted and verified by the guard.',
      (c) => c.revertsDone,
    );
    family(
      'chaos_guard_revert_failures_total',
      'counter',
      'Mutations the guard could not revert or verify.',
      (c) => c.revertFailures,
    );
    family(
      'chaos_guard_reconciles_total',
      'counter',
      'Passes over the cluster (watch events, timers).',
      (c) => c.reconciles,
    );
    family(
      'chaos_guard_scan_problems',
      'gauge',
      'What the last pass could not scan (a kind its RBAC does not allow, an API error): not guarded.',
      (c) => c.scanProblems,
    );
    family('chaos_guard_leader', 'gauge', '1 while this replica holds the guard Lease of the cluster.', (c) =>
      c.leader ? 1 : 0,
    );
    return `${lines.join('\n')}\n`;
  }
}
