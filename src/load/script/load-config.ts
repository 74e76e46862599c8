/**
 * What the k6 script reads from the JSON file named in CHAOS_CONFIG. Shared by the harness
 * (src/load/k6-args.ts writes it) and the script (load.ts reads it); types only, so k6 strips
 * the import and loads nothing at run time.
 */
export interface LoadScriptConfig {
  ingresses: Array<{ name: string; url: string }>;
  ratePerSecond: number;
  durationSeconds: number;
  method: string;
  paths: string[];
  host?: string;
  timeoutMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  servedByHeader: string;
}
