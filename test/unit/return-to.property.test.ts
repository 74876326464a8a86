import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReturnTo, parseReturnToAllowlist } from '../../src/recovery/index.js';

/**
 * The matcher against URLs assembled from the pieces open-redirect bypasses are made of
 * (look-alike hosts, credentials, ports, dot segments plain and encoded, encoded slashes
 * and backslashes, case, fragments), compared with an oracle that reasons differently:
 * by the parsed URL's segments rather than by string prefixes.
 */
const ALLOWLIST = parseReturnToAllowlist('https://app.example.com/settings');

const scheme = fc.constantFrom('https', 'HTTPS', 'http', 'javascript', 'ftp');
const host = fc.constantFrom(
  'app.example.com',
  'APP.Example.COM',
  'app.example.com.',
  'app.example.com.evil.example',
  'evil.example',
  'app-example.com',
  'xn--app-9ka.example.com',
  '127.0.0.1',
);
const userinfo = fc.constantFrom('', 'user@', 'user:pass@', 'app.example.com@');
const port = fc.constantFrom('', ':443', ':80', ':8443');
const segment = fc.constantFrom(
  'settings',
  'Settings',
  '%73ettings',
  'settings-evil',
  'settingsx',
  'admin',
  '..',
  '.',
  '%2e%2e',
  '.%2E',
  '%2F',
  '..%2f',
  '%5C',
  '\\',
  '',
  '%41',
  'é',
);
const path = fc.array(segment, { maxLength: 5 }).map((segments) => `/${segments.join('/')}`);
const query = fc.constantFrom('', '?next=/admin', '?a=%2F', '?');
const fragment = fc.constantFrom('', '#', '#session_token=x');

const candidate = fc
  .tuple(scheme, userinfo, host, port, path, query, fragment)
  .map(([s, u, h, p, pa, q, f]) => `${s}://${u}${h}${p}${pa}${q}${f}`);

/** What a reviewer would call allowed, worked out from the parsed URL's segments. */
function oracleAllows(text: string): boolean {
  if (!URL.canParse(text) || text.includes('#')) return false;
  const url = new URL(text);
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol !== 'https:' || url.host !== 'app.example.com') return false;
  if (/%(2f|5c)/i.test(url.pathname)) return false;
  const first = url.pathname.split('/')[1] ?? '';
  return decodeURIComponent(first) === 'settings';
}

describe('the returnTo matcher on tricky URLs', () => {
  it('allows exactly what the segment oracle allows', () => {
    fc.assert(
      fc.property(candidate, (text) => {
        expect(checkReturnTo(ALLOWLIST, text).allowed).toBe(oracleAllows(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers a URL that is allowed again as itself, on the allowed origin and under the prefix', () => {
    fc.assert(
      fc.property(candidate, (text) => {
        const check = checkReturnTo(ALLOWLIST, text);
        if (!check.allowed) return;
        expect(checkReturnTo(ALLOWLIST, check.url)).toEqual(check);
        const url = new URL(check.url);
        expect(url.origin).toBe('https://app.example.com');
        expect(url.pathname).toMatch(/^\/(settings|%73ettings)(\/|$)/);
        expect(check.url).not.toContain('#');
      }),
      { numRuns: 2000 },
    );
  });

  it('never allows anything with an empty allowlist', () => {
    fc.assert(
      fc.property(candidate, (text) => {
        expect(checkReturnTo([], text).allowed).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
