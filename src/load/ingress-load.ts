import type { ServedByConfig } from './script/load-config.js';

/** The load one ingress gets: the plan's part that k6's arguments are built from. */
export interface IngressLoad {
  ingress: string;
  /** Where the address comes from, e.g. a fixed URL or the gateway Service's LoadBalancer status. */
  target: string;
  ratePerSecond: number;
  method: string;
  paths: string[];
  host?: string;
  timeoutMs: number;
  /** Pre-allocated VUs: enough for `rate` requests that each take up to `timeout`. */
  preAllocatedVUs: number;
  maxVUs: number;
  /** A user's k6 script (absolute path) and the custom metrics it declares; undefined = the built-in GET. */
  script?: { file: string; metrics: string[] };
  /** k6 --out values added next to the harness's stream. */
  outputs?: string[];
  /** How the serving cluster is learned; undefined = not measured. */
  servedBy?: ServedByConfig;
}
