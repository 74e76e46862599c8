/**
 * Defence in depth for free text that lands in reports (error messages, k6 logs, reasons):
 * the harness never puts credentials there on purpose, but an upstream error message might
 * quote a header, a kubeconfig field or a URL with a password. Pure.
 */

const privateKeyBlock = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const authorization = /\b(authorization)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic)\s+)?[^\s"',;}]+/gi;
const bearer = /\b(bearer)(\s+)[A-Za-z0-9\-._~+/]+=*/gi;
const secretField =
  /\b(token|password|passwd|secret|client-key-data|client-certificate-data|certificate-authority-data)(["']?\s*[:=]\s*["']?)([^\s"',;}]+)/gi;
const urlUserinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

const redacted = '[redacted]';

export function scrubText(text: string): string {
  return text
    .replace(privateKeyBlock, `[private key ${redacted}]`)
    .replace(authorization, `$1$2${redacted}`)
    .replace(bearer, `$1$2${redacted}`)
    .replace(secretField, (_match, field: string, separator: string) => `${field}${separator}${redacted}`)
    .replace(urlUserinfo, `$1${redacted}@`);
}

/** A URL without user:password; anything that is not a URL is scrubbed as text. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (!url.username && !url.password) return value;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return scrubText(value);
  }
}
