/**
 * Loopback addresses for the lab. On Linux every 127.x.y.z is bindable without setup, so each
 * ingress and each Pod gets its own address (Pods listen on their real container port, as on a
 * cluster). Elsewhere only 127.0.0.1 exists: distinct ports on it instead.
 */
import { isIP } from 'node:net';

const hasLoopbackRange = process.platform === 'linux';

export function defaultIngressHost(index: number): string {
  return hasLoopbackRange ? `127.0.0.${11 + index}` : '127.0.0.1';
}

/** Default ingress port: 8080 everywhere on Linux; 8080, 8081, … on one address elsewhere. */
export function defaultIngressPort(index: number, base: number): number {
  if (base === 0) return 0;
  return hasLoopbackRange ? base : base + index;
}

/** The lab only ever listens on loopback: 127.0.0.0/8 or ::1. */
function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return address.startsWith('127.');
  if (family === 6) return address === '::1' || address === '0:0:0:0:0:0:0:1';
  return false;
}

/** Where a lab's ingresses listen, as options and environment variables may say. */
export interface IngressPlacement {
  /** One address per cluster in topology order; a single address serves every cluster. */
  ingressAddresses?: string[];
  /** 0 picks free ports. */
  ingressPort?: number;
}

/**
 * Parses `--ingress-address` / `--ingress-port` (or CHAOS_LAB_INGRESS_ADDRESS /
 * CHAOS_LAB_INGRESS_PORT): addresses separated by commas or given one per option, loopback
 * only; a port 0–65535, where 0 picks free ones. Returns the problem as text, for the caller's
 * error family.
 */
export function parseIngressPlacement(
  addresses: string | readonly string[] | undefined,
  port: string | undefined,
  source: { address: string; port: string },
): IngressPlacement | string {
  const placement: IngressPlacement = {};
  if (addresses !== undefined) {
    const list = (typeof addresses === 'string' ? [addresses] : addresses)
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
    const bad = list.filter((value) => !isLoopbackAddress(value));
    if (list.length === 0 || bad.length > 0)
      return `${source.address} ${bad.join(',') || '(empty)'}: expected loopback addresses (127.x.y.z or ::1), one per cluster or one for all`;
    placement.ingressAddresses = list;
  }
  if (port !== undefined) {
    const n = Number(port);
    if (port.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535)
      return `${source.port} ${port}: expected a port number 0–65535 (0 picks free ports)`;
    placement.ingressPort = n;
  }
  return placement;
}

export const ingressAddressEnv = 'CHAOS_LAB_INGRESS_ADDRESS';
export const ingressPortEnv = 'CHAOS_LAB_INGRESS_PORT';

/** The placement CHAOS_LAB_INGRESS_ADDRESS / CHAOS_LAB_INGRESS_PORT ask for (unset: defaults). */
export function ingressPlacementFromEnv(env: NodeJS.ProcessEnv): IngressPlacement | string {
  const address = env[ingressAddressEnv];
  const port = env[ingressPortEnv];
  return parseIngressPlacement(address === '' ? undefined : address, port === '' ? undefined : port, {
    address: ingressAddressEnv,
    port: ingressPortEnv,
  });
}

/** Pod IPs: 127.<cluster+1>.x.y, never reused while the lab runs; 127.0.0.1 without the range. */
export function podIpAllocator(clusterIndex: number): () => string {
  let next = 2;
  return () => {
    if (!hasLoopbackRange) return '127.0.0.1';
    let n = next++;
    // Skip .0 and .255 in the last octet; wrap around after 65k Pods (never in practice).
    while (n % 256 === 0 || n % 256 === 255) n = next++;
    return `127.${clusterIndex + 1}.${Math.floor(n / 256) % 255}.${n % 256}`;
  };
}
