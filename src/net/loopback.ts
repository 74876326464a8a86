import { isIP } from 'node:net';

/**
 * Whether a host name or address can only be reached from this machine: `localhost`
 * itself, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address or in URL brackets).
 * `*.localhost` names are not: whether they resolve to loopback is up to the resolver
 * (RFC 6761 only asks it to), and a DNS answer is not a guarantee. `0.0.0.0` and `::`
 * listen on every interface, so they are not either.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = name.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) return lower === '::1' || /^::ffff:127\./.test(lower) || lower === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host name of a Host header (`localhost:4000`, `[::1]:4000`), or null when there is none. */
export function hostOfHeader(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end === -1 ? null : header.slice(0, end + 1);
  }
  const colon = header.indexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}
