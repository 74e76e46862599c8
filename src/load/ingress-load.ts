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
}
