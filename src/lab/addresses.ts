/**
 * Loopback addresses for the lab. On Linux every 127.x.y.z is bindable without setup, so each
 * ingress and each Pod gets its own address (Pods listen on their real container port, as on a
 * cluster). Elsewhere only 127.0.0.1 exists: distinct ports on it instead.
 */

export const hasLoopbackRange = process.platform === 'linux';

export function defaultIngressHost(index: number): string {
  return hasLoopbackRange ? `127.0.0.${11 + index}` : '127.0.0.1';
}

/** Default ingress port: 8080 everywhere on Linux; 8080, 8081, … on one address elsewhere. */
export function defaultIngressPort(index: number, base: number): number {
  if (base === 0) return 0;
  return hasLoopbackRange ? base : base + index;
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
