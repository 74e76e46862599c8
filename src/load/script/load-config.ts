/**
 * What the k6 scripts read from the JSON file named in CHAOS_CONFIG. Shared by the harness
 * (src/load/k6-args.ts writes it) and the scripts (load.ts and chaos-k6.ts read it); types
 * only, so k6 strips the import and loads nothing at run time.
 */

/**
 * How a response tells which cluster served it:
 * - upstream-address: a header the mesh adds at the gateway with the upstream Pod's address
 *   (deploy/served-by-envoyfilter.yaml); the harness maps it to a cluster by EndpointSlices;
 * - header: a header whose value is the cluster's name (an app that reports it itself);
 * - body: a pattern whose first group is the cluster's name;
 * - none: not measured.
 */
export type ServedByConfig =
  | { kind: 'none' }
  | { kind: 'upstream-address'; header: string }
  | { kind: 'header'; header: string }
  | { kind: 'body'; pattern: string };

export interface LoadScriptConfig {
  ingresses: Array<{ name: string; url: string }>;
  ratePerSecond: number;
  /** How long k6's scenarios last: the phases plus slack (the harness stops k6 when the timeline ends). */
  durationSeconds: number;
  /** The phases' total, which a script's own scenarios are fitted to (durationSeconds without it). */
  phasesSeconds?: number;
  method: string;
  paths: string[];
  host?: string;
  timeoutMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  servedBy: ServedByConfig;
  /** Record times are milliseconds after this (script/recorder.ts); set by the harness before k6 starts. */
  epochMs?: number;
  /** --raw-samples: also write every request and iteration as k6 points (`--out json`), for audits. */
  raw?: boolean;
  /** The run's id, sent with every request as W3C baggage (`chaos.run_id`). */
  runId?: string;
}
