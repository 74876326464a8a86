import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OPERATIONS_DIRECTORY } from '../build-files.js';
import { RECOVERY_CODE_DIGITS } from '../recovery/index.js';

/**
 * The page a recovery link opens. Opening it does nothing to the link: mail scanners and
 * link previews fetch links, and Kratos' single-use links die that way (#1142, #3971).
 * Only the person's click on Continue redeems it, with a POST of redeemRecoveryLink. A
 * code's link (a flow and no token) shows a form for the code instead, which submits
 * redeemRecoveryCode only when the person does.
 *
 * Self-contained (no CDN, no framework) and served under a strict CSP whose nonce is
 * fresh per response, so nothing but this page's own script and style can run.
 */
export interface RecoveryPageOptions {
  /**
   * Where to continue after redemption, with the session in the fragment, unless the
   * redemption answers the link's own returnTo; or nowhere. The CSP below restricts what
   * the page loads and posts, not where it navigates (CSP has no directive browsers
   * apply to that), so continuing to an allowlisted returnTo needs no source added.
   */
  readonly settingsUiUrl: URL | null;
  /**
   * Where Continue posts the redemption: this service's own path, or the router's public
   * endpoint (RECOVERY_PAGE_GRAPHQL_URL) when the subgraph answers only its router.
   */
  readonly graphqlUrl: string;
  /** RECOVERY_CODE_MAX_ATTEMPTS: the page counts the attempts left from it. */
  readonly codeMaxAttempts: number;
}

export interface RenderedPage {
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The persisted operation itself, so the page works under PERSISTED_OPERATIONS_ONLY too. */
const operation = (name: string) => readFileSync(new URL(`${name}.graphql`, OPERATIONS_DIRECTORY), 'utf8');
const REDEEM_DOCUMENT = operation('redeem-recovery-link');
const REDEEM_CODE_DOCUMENT = operation('redeem-recovery-code');

export function renderRecoveryPage(options: RecoveryPageOptions): RenderedPage {
  const nonce = randomBytes(16).toString('base64');
  const config = JSON.stringify({
    graphqlUrl: options.graphqlUrl,
    redeemDocument: REDEEM_DOCUMENT,
    redeemCodeDocument: REDEEM_CODE_DOCUMENT,
    codeDigits: RECOVERY_CODE_DIGITS,
    codeMaxAttempts: options.codeMaxAttempts,
    settingsUiUrl: options.settingsUiUrl?.toString() ?? null,
  }).replaceAll('<', '\\u003c'); // never "</script>" inside the JSON block
  return {
    // A replacer function: a `$&` in the configured URL must not be read as a pattern.
    html: PAGE.replaceAll('{{nonce}}', nonce).replace('{{config}}', () => config),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // The URL carries the token: no caching anywhere, no Referer to anyone.
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        `connect-src ${connectSource(options.graphqlUrl)}`,
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    },
  };
}

/** 'self', and the origin of an absolute GraphQL URL (a router elsewhere), nothing wider. */
function connectSource(graphqlUrl: string): string {
  return URL.canParse(graphqlUrl) ? `'self' ${new URL(graphqlUrl).origin}` : "'self'";
}

/**
 * The page's HTML, CSS and browser script live as real files beside this module (so
 * editors and linters see them as what they are), read once and put together here; the
 * nonce and the configuration go in per response. The build copies the folder beside the
 * compiled module (tools/copy-build-assets.mjs), so it is found from src/http and dist/http alike.
 */
const PAGE_DIRECTORY = new URL('recovery-page/', import.meta.url);
const pageFile = (name: string) => readFileSync(new URL(name, PAGE_DIRECTORY), 'utf8');
const PAGE = pageFile('page.html')
  .replace('{{style}}', () => pageFile('page.css'))
  .replace('{{script}}', () => pageFile('page.js'));
