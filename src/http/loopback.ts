import { isIP } from 'node:net';

/**
 * Whether a host name or address can only be reached from this machine: `localhost`,
 * 127.0.0.0/8 and ::1 (also as an IPv4-mapped address or in URL brackets). `0.0.0.0`
 * and `::` listen on every interface, so they are not.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = name.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) return lower === '::1' || /^::ffff:127\./.test(lower) || lower === '0:0:0:0:0:0:0:1';
  return false;
}
