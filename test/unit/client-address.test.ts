import { describe, expect, it } from 'vitest';
import { clientAddressResolver } from '../../src/http/client-address.js';
import { parseConfig, parseTrustedProxy } from '../../src/config/index.js';

const behind = (...entries: string[]) => clientAddressResolver(entries.map(parseTrustedProxy));

describe('the client address', () => {
  it('is the TCP peer when no proxy is trusted, whatever the headers say', () => {
    const resolve = clientAddressResolver([]);
    expect(resolve('203.0.113.7', { 'x-forwarded-for': '198.51.100.1' })).toBe('203.0.113.7');
    expect(resolve('::ffff:127.0.0.1', {})).toBe('127.0.0.1');
    expect(resolve(undefined, {})).toBeNull();
  });

  it('ignores forwarding headers from a peer that is not trusted', () => {
    expect(behind('10.0.0.0/8')('203.0.113.7', { 'x-forwarded-for': '198.51.100.1' })).toBe('203.0.113.7');
  });

  it('is the right-most X-Forwarded-For entry that is not a trusted proxy', () => {
    const resolve = behind('10.0.0.0/8', '127.0.0.1');
    // The client forged the first entry; 10.1.2.3 is a proxy of ours in the chain.
    const headers = { 'x-forwarded-for': '1.1.1.1, 198.51.100.9, 10.1.2.3' };
    expect(resolve('127.0.0.1', headers)).toBe('198.51.100.9');
    expect(resolve('::ffff:127.0.0.1', headers)).toBe('198.51.100.9');
    expect(resolve('127.0.0.1', { 'x-forwarded-for': ['198.51.100.9', '10.0.0.1'] })).toBe('198.51.100.9');
  });

  it('trusts IPv6 addresses and subnets, and reads IPv6 hops', () => {
    const resolve = behind('::1', 'fd00::/8');
    expect(resolve('::1', { 'x-forwarded-for': '2001:db8::5, fd12::1' })).toBe('2001:db8::5');
    expect(resolve('fd00::abcd', { 'x-forwarded-for': '2001:DB8::6' })).toBe('2001:db8::6');
  });

  it('reads Forwarded: for= with quotes, ports and bracketed IPv6', () => {
    const resolve = behind('127.0.0.1');
    expect(resolve('127.0.0.1', { forwarded: 'for=198.51.100.3;proto=https' })).toBe('198.51.100.3');
    expect(resolve('127.0.0.1', { forwarded: 'for="198.51.100.4:4711", for=127.0.0.1' })).toBe('198.51.100.4');
    expect(resolve('127.0.0.1', { forwarded: 'for="[2001:db8:cafe::17]:4711"' })).toBe('2001:db8:cafe::17');
    expect(resolve('127.0.0.1', { forwarded: 'proto=https;For="[2001:db8::1]"' })).toBe('2001:db8::1');
  });

  it.each([
    ['a name instead of an address', { 'x-forwarded-for': 'client.example, 198.51.100.1' }],
    ['an empty entry', { 'x-forwarded-for': '198.51.100.1,,' }],
    ['Forwarded without for=', { forwarded: 'proto=https' }],
    ['an obfuscated Forwarded node', { forwarded: 'for=_hidden' }],
    ['an unterminated quote', { forwarded: 'for="198.51.100.1' }],
    ['a header longer than any chain of proxies', { 'x-forwarded-for': '198.51.100.1,'.repeat(400) }],
  ])('falls back to the trusted peer for %s, without throwing', (_case, headers) => {
    expect(behind('127.0.0.1')('127.0.0.1', headers)).toBe('127.0.0.1');
  });

  it('is the left-most hop when every hop is a trusted proxy', () => {
    expect(behind('10.0.0.0/8')('10.0.0.1', { 'x-forwarded-for': '10.0.0.3, 10.0.0.2' })).toBe('10.0.0.3');
    expect(behind('10.0.0.0/8')('10.0.0.1', {})).toBe('10.0.0.1');
  });
});

describe('TRUSTED_PROXIES', () => {
  it('takes addresses and CIDRs of both families, and nothing by default', () => {
    const parsed = parseConfig({ TRUSTED_PROXIES: '10.0.0.0/8, ::1 ,fd00::/8,192.0.2.1' });
    expect(parsed.ok && parsed.config.router.trustedProxies).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: '::1', prefix: 128, family: 'ipv6' },
      { address: 'fd00::', prefix: 8, family: 'ipv6' },
      { address: '192.0.2.1', prefix: 32, family: 'ipv4' },
    ]);
    const unset = parseConfig({});
    expect(unset.ok && unset.config.router.trustedProxies).toEqual([]);
  });

  it.each(['10.0.0.0/33', 'proxy.internal', '10.0.0.0/8/1', '::1/129', '10.0.0.0/x'])(
    'refuses %s with one line naming it',
    (entry) => {
      const parsed = parseConfig({ TRUSTED_PROXIES: entry });
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.problems).toEqual([
        expect.stringMatching(new RegExp(`^TRUSTED_PROXIES: .*${entry.replace(/[./]/g, '\\$&')}`)),
      ]);
    },
  );
});
