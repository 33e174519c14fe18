import { isIP } from 'net';

/**
 * Which CA a TLS client needs for an endpoint, judged by its host name. The config validation,
 * the constructs and the validation gate share these answers, so that each says the same.
 */

/** Suffixes of the cluster's own Service names (`<service>.<namespace>.svc[.cluster.local]`). */
const CLUSTER_SERVICE_SUFFIXES: readonly string[] = ['.svc', '.svc.cluster.local'];

/**
 * Names no public CA may certify: `.internal` (reserved for private use by ICANN, 2024),
 * `.local` (RFC 6762), `.home.arpa` (RFC 8375), and `.lan` and `.corp`, which are in wide private
 * use and are not delegated in the public DNS.
 */
export const PRIVATE_USE_SUFFIXES: readonly string[] = ['.internal', '.local', '.home.arpa', '.lan', '.corp'];

/** The host of an `https://host[:port][/path]` URL, lower case, without IPv6 brackets; `undefined` when it is no URL. */
export function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

/** A Service of the cluster, `<name>.<namespace>.svc` or `...svc.cluster.local`. */
export function isClusterServiceHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return CLUSTER_SERVICE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/**
 * A host whose certificate no public CA signs, so a client needs the private CA that does: a
 * private-use name, or a private (RFC 1918, RFC 4193), loopback or link-local address.
 */
export function isPrivateUseHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isIP(name) === 4) {
    const [a, b] = name.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (isIP(name) === 6) {
    const first = Number.parseInt(name.split(':')[0] || '0', 16);
    return name === '::1' || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return PRIVATE_USE_SUFFIXES.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1));
}
