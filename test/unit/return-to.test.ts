import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import {
  ReturnToAllowlistError,
  checkReturnTo,
  parseReturnToAllowlist,
  returnToStillAllowed,
} from '../../src/recovery/index.js';

const ALLOWLIST = parseReturnToAllowlist(
  'https://app.example.com, https://id.example.com/settings/, https://docs.example.com/guide, http://127.0.0.1:8080',
);
const check = (url: string) => checkReturnTo(ALLOWLIST, url);

describe('parsing RECOVERY_RETURN_TO_ALLOWLIST', () => {
  it('reads origins and path prefixes as the WHATWG parser serializes them', () => {
    expect(parseReturnToAllowlist(' HTTPS://App.Example.COM:443 ,https://bücher.example/a/%7Eb/ ,, ')).toEqual([
      { origin: 'https://app.example.com', pathPrefix: '/' },
      { origin: 'https://xn--bcher-kva.example', pathPrefix: '/a/~b/' },
    ]);
  });

  it('is empty when nothing is listed', () => {
    expect(parseReturnToAllowlist(' , ')).toEqual([]);
  });

  it.each([
    ['app.example.com', 'is not an absolute URL'],
    ['ftp://files.example.com', 'must be an http or https URL'],
    ['https://user:pass@app.example.com', 'must not carry credentials'],
    ['https://app.example.com/?next=1', 'must not carry a query'],
    ['https://app.example.com/#x', 'must not carry a fragment'],
    ['https://app.example.com/a%2Fb/', 'must not hold an encoded / or \\'],
  ])('refuses the entry %j: it %s', (entry, why) => {
    expect(() => parseReturnToAllowlist(entry)).toThrow(ReturnToAllowlistError);
    expect(() => parseReturnToAllowlist(entry)).toThrow(`${JSON.stringify(entry)}: ${why}`);
  });

  it('refuses more entries than it will match against', () => {
    const entries = Array.from({ length: 101 }, (_, i) => `https://app${i}.example.com`).join(',');
    expect(() => parseReturnToAllowlist(entries)).toThrow('lists 101 entries; at most 100 are allowed');
  });
});

describe('checking a returnTo', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com/'],
    ['https://app.example.com/anything?x=1', 'https://app.example.com/anything?x=1'],
    ['HTTPS://APP.example.com:443/Done', 'https://app.example.com/Done'],
    ['https://id.example.com/settings/', 'https://id.example.com/settings/'],
    ['https://id.example.com/settings/password', 'https://id.example.com/settings/password'],
    ['https://id.example.com/%73ettings/password', 'https://id.example.com/%73ettings/password'],
    ['https://id.example.com/settings/./a/../b', 'https://id.example.com/settings/b'],
    ['https://docs.example.com/guide', 'https://docs.example.com/guide'],
    ['https://docs.example.com/guide/step', 'https://docs.example.com/guide/step'],
    ['http://127.0.0.1:8080/callback', 'http://127.0.0.1:8080/callback'],
  ])('allows %j, as %j', (url, normalized) => {
    expect(check(url)).toEqual({ allowed: true, url: normalized });
  });

  it.each([
    ['/settings', 'not_absolute_url'],
    ['//app.example.com/', 'not_absolute_url'],
    ['javascript:alert(1)', 'not_http'],
    ['data:text/html,hi', 'not_http'],
    ['https://admin@app.example.com/', 'has_userinfo'],
    ['https://app.example.com:x@evil.example/', 'has_userinfo'],
    ['https://app.example.com/#', 'has_fragment'],
    ['https://app.example.com/#session_token=x', 'has_fragment'],
    ['https://id.example.com/settings/..%2Fadmin', 'encoded_separator'],
    ['https://id.example.com/settings/..%5cadmin', 'encoded_separator'],
    ['https://app.example.com.evil.example/', 'not_allowlisted'],
    ['https://evil.example/https://app.example.com', 'not_allowlisted'],
    ['http://app.example.com/', 'not_allowlisted'],
    ['https://app.example.com:8443/', 'not_allowlisted'],
    ['https://app.example.com./', 'not_allowlisted'],
    ['https://id.example.com/settings', 'not_allowlisted'],
    ['https://id.example.com/settings-evil/', 'not_allowlisted'],
    ['https://id.example.com/settings/../admin', 'not_allowlisted'],
    ['https://id.example.com/settings/%2e%2e/admin', 'not_allowlisted'],
    ['https://id.example.com/settings\\..\\admin', 'not_allowlisted'],
    ['https://id.example.com/Settings/', 'not_allowlisted'],
    ['https://docs.example.com/guidebook', 'not_allowlisted'],
    ['http://127.0.0.1:8081/', 'not_allowlisted'],
    ['http://localhost:8080/', 'not_allowlisted'],
  ])('refuses %j as %s', (url, refusal) => {
    expect(check(url)).toEqual({ allowed: false, refusal });
  });

  it('refuses a URL over the length bound, as typed or once the parser has percent-encoded it', () => {
    const under = `https://app.example.com/${'a'.repeat(2000)}`;
    expect(check(under).allowed).toBe(true);
    expect(check(`${under}${'a'.repeat(48)}`)).toEqual({ allowed: false, refusal: 'too_long' });
    // 700 spaces become 2,100 characters of %20.
    expect(check(`https://app.example.com/x${' '.repeat(700)}y`)).toEqual({ allowed: false, refusal: 'too_long' });
  });

  it('allows nothing when the allowlist is empty, the default', () => {
    expect(checkReturnTo([], 'https://app.example.com/')).toEqual({ allowed: false, refusal: 'not_allowlisted' });
  });

  it('lets a stored returnTo through at redemption only while the allowlist still allows it', () => {
    expect(returnToStillAllowed(ALLOWLIST, 'https://app.example.com/done')).toBe('https://app.example.com/done');
    expect(returnToStillAllowed(parseReturnToAllowlist('https://other.example'), 'https://app.example.com/')).toBe(
      null,
    );
    expect(returnToStillAllowed(ALLOWLIST, null)).toBeNull();
  });
});

describe('RECOVERY_RETURN_TO_ALLOWLIST in the configuration', () => {
  const production = {
    NODE_ENV: 'production',
    RECOVERY_TOKEN_SECRET: 'a'.repeat(32),
    SESSION_SIGNING_KEY: 'b'.repeat(32),
    ADMIN_API_KEYS: 'c'.repeat(32),
    MONGODB_URI: 'mongodb://127.0.0.1:27017',
    PUBLIC_BASE_URL: 'https://id.example.com',
  };

  it('defaults to an empty allowlist', () => {
    const parsed = parseConfig({});
    expect(parsed.ok && parsed.config.links.returnToAllowlist).toEqual([]);
  });

  it('reports a bad entry on one line, naming the setting', () => {
    expect(parseConfig({ RECOVERY_RETURN_TO_ALLOWLIST: 'https://ok.example, nope' })).toEqual({
      ok: false,
      problems: ['RECOVERY_RETURN_TO_ALLOWLIST: "nope": is not an absolute URL'],
    });
  });

  it('accepts https and loopback http in production, and refuses other plain http', () => {
    const allowed = parseConfig({
      ...production,
      RECOVERY_RETURN_TO_ALLOWLIST: 'https://app.example.com/settings/, http://127.0.0.1:8080, http://[::1]:9000',
    });
    expect(allowed.ok && allowed.config.links.returnToAllowlist).toHaveLength(3);
    expect(
      parseConfig({ ...production, RECOVERY_RETURN_TO_ALLOWLIST: 'https://ok.example, http://app.example.com' }),
    ).toEqual({
      ok: false,
      problems: [
        'RECOVERY_RETURN_TO_ALLOWLIST: http://app.example.com must be https when NODE_ENV=production (plain http only on loopback): the session token is sent there',
      ],
    });
  });

  it('accepts plain http outside production', () => {
    const parsed = parseConfig({ RECOVERY_RETURN_TO_ALLOWLIST: 'http://app.example.com' });
    expect(parsed.ok && parsed.config.links.returnToAllowlist).toEqual([
      { origin: 'http://app.example.com', pathPrefix: '/' },
    ]);
  });
});
