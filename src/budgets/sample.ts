/** One request (or a count of dropped iterations) as the load runner reports it; what budgets are judged on. */
export type LoadSample =
  | {
      kind: 'request';
      timeMs: number;
      ingress: string;
      servedBy: string;
      status: number;
      path: string;
      failed: boolean;
      durationMs: number;
    }
  | { kind: 'dropped'; timeMs: number; ingress: string; count: number };
