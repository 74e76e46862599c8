/**
 * The lab's TLS material, made fresh at every start: a CA (written into the kubeconfig as
 * certificate-authority-data) and a serving certificate it signs for the loopback API hosts.
 * client-node refuses plain http:// without skipTLSVerify, and kubectl verifies SANs.
 */
import { generate } from 'selfsigned';

export interface LabCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function createCertificates(hosts: readonly string[]): Promise<LabCertificates> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'chaos-lab-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const ips = new Set(['127.0.0.1', '::1', ...hosts.filter((host) => /^[\d.]+$|:/.test(host))]);
  const names = new Set(['localhost', ...hosts.filter((host) => !/^[\d.]+$|:/.test(host))]);
  const server = await generate([{ name: 'commonName', value: 'chaos-lab-apiserver' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...[...names].map((value) => ({ type: 2 as const, value })),
          ...[...ips].map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
