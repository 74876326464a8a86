import { isIP } from 'node:net';

/** One parsed TRUSTED_PROXIES entry: an address or a CIDR subnet (src/http/client-address.ts believes its forwarding headers). */
export interface TrustedProxy {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** "10.0.0.0/8", "::1" or "fd00::/8" → a TrustedProxy; throws a message for the config. */
export function parseTrustedProxy(entry: string): TrustedProxy {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) throw new Error(`"${entry}" is not an IP address or CIDR`);
  const maxPrefix = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? '0') || prefix > maxPrefix) {
    throw new Error(`"${entry}": the prefix must be 0 to ${maxPrefix}`);
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}
