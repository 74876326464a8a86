/**
 * Where the person lands after recovering: a URL the admin names when creating a flow,
 * allowed only when RECOVERY_RETURN_TO_ALLOWLIST lists its origin (and path prefix).
 * Kratos' `return_to`, Supabase's `redirect_to` and Firebase's continue URL work the
 * same way; unlike some of them, a refused URL is an error, never silently dropped
 * (Supabase #1738, Kratos #3084), so the admin learns at once that it will not be used.
 *
 * Comparisons are made on what a browser would load: the WHATWG URL parser lower-cases
 * and punycodes the host, drops default ports and resolves `.`/`..` segments (also
 * percent-encoded ones), so `HTTPS://App.Example.com:443/settings/../admin` is `/admin`.
 */

/** Longer than any return URL a person needs, short enough for a JWT claim and a document. */
export const MAX_RETURN_TO_LENGTH = 2048;

/** Enough for every app of a deployment; a bound so that matching stays a short loop. */
export const MAX_ALLOWLIST_ENTRIES = 100;

/** An allowlist entry: an exact origin, and the path prefix URLs must be under ("/": any). */
export interface ReturnToAllowlistEntry {
  /** `scheme://host[:port]` as the WHATWG URL parser serializes it. */
  readonly origin: string;
  /** Normalized (see normalizePath); either `/` or a path matched on segment boundaries. */
  readonly pathPrefix: string;
}

export type ReturnToAllowlist = readonly ReturnToAllowlistEntry[];

/** Why a returnTo was refused; the API words each for the admin. */
export type ReturnToRefusal =
  | 'too_long'
  | 'not_absolute_url'
  | 'not_http'
  | 'has_userinfo'
  | 'has_fragment'
  | 'encoded_separator'
  | 'not_allowlisted';

export type ReturnToCheck =
  { readonly allowed: true; readonly url: string } | { readonly allowed: false; readonly refusal: ReturnToRefusal };

/** Raised for an allowlist entry that cannot be used; the message names the entry. */
export class ReturnToAllowlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReturnToAllowlistError';
  }
}

/**
 * Parses RECOVERY_RETURN_TO_ALLOWLIST: comma-separated origins, each optionally with a
 * path prefix (`https://app.example.com`, `https://app.example.com/settings/`). An entry
 * with a query, fragment or credentials is refused rather than half-applied.
 */
export function parseReturnToAllowlist(text: string): ReturnToAllowlistEntry[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > MAX_ALLOWLIST_ENTRIES) {
    throw new ReturnToAllowlistError(`lists ${entries.length} entries; at most ${MAX_ALLOWLIST_ENTRIES} are allowed`);
  }
  return entries.map(parseEntry);
}

function parseEntry(text: string): ReturnToAllowlistEntry {
  const problem = (why: string) => new ReturnToAllowlistError(`${JSON.stringify(text)}: ${why}`);
  if (!URL.canParse(text)) throw problem('is not an absolute URL');
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw problem('must be an http or https URL');
  if (url.username !== '' || url.password !== '') throw problem('must not carry credentials');
  if (url.search !== '' || text.includes('?'))
    throw problem('must not carry a query: it is an origin or a path prefix');
  if (text.includes('#')) throw problem('must not carry a fragment: the session token goes there');
  if (hasEncodedSeparator(url.pathname)) throw problem('must not hold an encoded / or \\ in its path');
  return { origin: url.origin, pathPrefix: normalizePath(url.pathname) };
}

/**
 * The one check of a returnTo, for every flow that takes one (links, codes): the URL to
 * store and continue to, as the WHATWG parser serializes it, or why it is refused.
 */
export function checkReturnTo(allowlist: ReturnToAllowlist, text: string): ReturnToCheck {
  const refused = (refusal: ReturnToRefusal): ReturnToCheck => ({ allowed: false, refusal });
  if (text.length > MAX_RETURN_TO_LENGTH) return refused('too_long');
  // `URL.canParse(text, base)` would accept relative paths; only absolute URLs are meant.
  if (!URL.canParse(text)) return refused('not_absolute_url');
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refused('not_http');
  if (url.username !== '' || url.password !== '') return refused('has_userinfo');
  // The recovery page appends `#session_token=…`: a fragment of the caller's would mangle it.
  if (text.includes('#')) return refused('has_fragment');
  // An encoded slash or backslash is one segment here but may be a separator to the
  // server behind it (`/settings/..%2Fadmin`): ambiguous, so refused.
  if (hasEncodedSeparator(url.pathname)) return refused('encoded_separator');
  if (url.href.length > MAX_RETURN_TO_LENGTH) return refused('too_long');
  const path = normalizePath(url.pathname);
  const allowed = allowlist.some((entry) => entry.origin === url.origin && underPrefix(path, entry.pathPrefix));
  return allowed ? { allowed: true, url: url.href } : refused('not_allowlisted');
}

/** `/settings` allows `/settings` and `/settings/…`, never `/settings-evil`; `/` allows all. */
function underPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

function hasEncodedSeparator(path: string): boolean {
  return /%(2f|5c)/i.test(path);
}

/**
 * RFC 3986's percent-encoding normalization on top of WHATWG's: encoded unreserved
 * characters decoded (`%73ettings` is `settings`), the hex of the rest upper-cased, so
 * an entry and a URL that name the same path compare equal.
 */
function normalizePath(path: string): string {
  return path.replace(/%([0-9a-f]{2})/gi, (encoded, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(character) ? character : encoded.toUpperCase();
  });
}

/**
 * The stored returnTo of a flow being redeemed, if the allowlist still allows it: an
 * origin taken off the list (a domain given up, say) must stop receiving sessions at
 * once, not when the last link naming it expires. Null: continue to the settings UI.
 */
export function returnToStillAllowed(allowlist: ReturnToAllowlist, stored: string | null): string | null {
  if (stored === null) return null;
  const check = checkReturnTo(allowlist, stored);
  return check.allowed ? check.url : null;
}
