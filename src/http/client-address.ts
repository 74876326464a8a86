import { BlockList, isIP } from 'node:net';
import type { TrustedProxy } from '../config/index.js';

/**
 * The address a request comes from, for the rate limits, the audit trail and the logs.
 * Behind a router or load balancer the TCP peer is the proxy, shared by everyone: only
 * when that peer is one of TRUSTED_PROXIES are its forwarding headers believed, and then
 * the client is the right-most hop that is not itself a trusted proxy (every hop appends
 * the address it saw, so only entries left of a trusted one may be forged by the client).
 */

/** The client address of a request whose TCP peer is `peer`, with the given headers. */
export type ClientAddressResolver = (
  peer: string | undefined,
  headers: { readonly forwarded?: string | string[]; readonly 'x-forwarded-for'?: string | string[] },
) => string | null;

export function clientAddressResolver(trusted: readonly TrustedProxy[]): ClientAddressResolver {
  if (trusted.length === 0) return (peer) => (peer === undefined ? null : normalize(peer));
  const list = new BlockList();
  for (const { address, prefix, family } of trusted) list.addSubnet(address, prefix, family);
  const isTrusted = (address: string) => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

  return (peer, headers) => {
    if (peer === undefined) return null;
    const direct = normalize(peer);
    if (!isTrusted(direct)) return direct;
    const hops = headers.forwarded !== undefined ? forwardedFor(headers.forwarded) : xForwardedFor(headers);
    // A malformed header from a trusted peer tells nothing: the peer is all that is known.
    if (hops === null) return direct;
    for (let index = hops.length - 1; index >= 0; index--) {
      if (!isTrusted(hops[index]!)) return hops[index]!;
    }
    // Every hop is a proxy of ours (a health check from inside, say): the left-most one.
    return hops[0] ?? direct;
  };
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is 127.0.0.1 for every purpose here. */
function normalize(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4
    ? address.slice(7)
    : address.toLowerCase();
}

/** Longer headers than any real chain of proxies are not parsed at all. */
const MAX_HEADER_LENGTH = 4096;

function joined(value: string | string[]): string {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The hops of X-Forwarded-For, or null when any is not an IP address. */
function xForwardedFor(headers: { readonly 'x-forwarded-for'?: string | string[] }): string[] | null {
  const value = headers['x-forwarded-for'];
  if (value === undefined) return [];
  const text = joined(value);
  if (text.length > MAX_HEADER_LENGTH) return null;
  return addresses(text.split(',').map((hop) => hop.trim()));
}

/**
 * The `for=` hops of RFC 7239 Forwarded, or null when malformed or not an IP address
 * (`for=unknown` or an obfuscated `_hidden` name give no address to limit by).
 * Forms: `for=192.0.2.1`, `for="192.0.2.1:8080"`, `for="[2001:db8::1]:8080"`.
 */
function forwardedFor(value: string | string[]): string[] | null {
  const text = joined(value);
  if (text.length > MAX_HEADER_LENGTH) return null;
  const hops: string[] = [];
  for (const element of text.split(',')) {
    const pair = element
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.slice(0, 4).toLowerCase() === 'for=');
    if (pair === undefined) return null;
    let node = pair.slice(4);
    if (node.startsWith('"')) {
      if (node.length < 2 || !node.endsWith('"')) return null;
      node = node.slice(1, -1);
    }
    hops.push(withoutPort(node));
  }
  return addresses(hops);
}

function withoutPort(node: string): string {
  if (node.startsWith('[')) {
    const end = node.indexOf(']');
    return end === -1 ? node : node.slice(1, end);
  }
  const colon = node.indexOf(':');
  // One colon is IPv4 with a port; more is a bare IPv6 address (invalid unquoted, but plain).
  return colon !== -1 && colon === node.lastIndexOf(':') ? node.slice(0, colon) : node;
}

function addresses(hops: readonly string[]): string[] | null {
  return hops.every((hop) => isIP(hop) !== 0) ? hops.map(normalize) : null;
}
