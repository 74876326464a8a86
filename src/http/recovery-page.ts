import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The page a recovery link opens. Opening it does nothing to the link: mail scanners and
 * link previews fetch links, and Kratos' single-use links die that way (#1142, #3971).
 * Only the person's click on Continue redeems it, with a POST of redeemRecoveryLink.
 *
 * Self-contained (no CDN, no framework) and served under a strict CSP whose nonce is
 * fresh per response, so nothing but this page's own script and style can run.
 */
export interface RecoveryPageOptions {
  /** Where to continue after redemption, with the session in the fragment; or nowhere. */
  readonly settingsUiUrl: URL | null;
  readonly graphqlPath: string;
}

export interface RenderedPage {
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The persisted operation itself, so the page works under PERSISTED_OPERATIONS_ONLY too. */
const REDEEM_DOCUMENT = readFileSync(new URL('../../operations/redeem-recovery-link.graphql', import.meta.url), 'utf8');

export function renderRecoveryPage(options: RecoveryPageOptions): RenderedPage {
  const nonce = randomBytes(16).toString('base64');
  const config = JSON.stringify({
    graphqlPath: options.graphqlPath,
    redeemDocument: REDEEM_DOCUMENT,
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
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    },
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Recover your account</title>
<style nonce="{{nonce}}">
  :root { color-scheme: light dark; --accent: #2557d6; --muted: #5f6b7a; --card: #ffffff; --bg: #f3f5f9; --text: #18202b; --danger: #b42318; --ok: #1d7a46; }
  @media (prefers-color-scheme: dark) { :root { --card: #1b2230; --bg: #10151e; --text: #e8ecf2; --muted: #9aa6b5; --accent: #7ea2ff; --danger: #ff8a80; --ok: #6fd39b; } }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1.5rem; background: var(--bg); color: var(--text); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { width: 100%; max-width: 28rem; background: var(--card); border-radius: 12px; padding: 2rem; box-shadow: 0 1px 3px rgba(0,0,0,.12), 0 8px 24px rgba(0,0,0,.06); }
  h1 { font-size: 1.35rem; margin: 0 0 .75rem; outline: none; }
  p { margin: 0 0 1rem; }
  .muted { color: var(--muted); font-size: .875rem; }
  button { width: 100%; font: inherit; font-weight: 600; padding: .75rem 1rem; border: 0; border-radius: 8px; background: var(--accent); color: #fff; cursor: pointer; }
  button:disabled { opacity: .6; cursor: progress; }
  button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .ok { color: var(--ok); }
  .error { color: var(--danger); }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main>
  <section id="start">
    <h1>Recover your account</h1>
    <p>You are about to confirm that this recovery link is yours. Afterwards you can set new credentials for your account.</p>
    <p class="muted">Nothing happens until you continue, and the link works only once.</p>
    <button id="continue" type="button">Continue</button>
  </section>
  <section id="result" hidden aria-live="polite">
    <h1 id="result-title" tabindex="-1"></h1>
    <p id="result-text"></p>
    <p id="result-reference" class="muted" hidden></p>
  </section>
</main>
<script type="application/json" id="config">{{config}}</script>
<script nonce="{{nonce}}">
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('config').textContent);
  var params = new URLSearchParams(location.search);
  var flow = params.get('flow');
  var token = params.get('token');
  // The token must not stay in the address bar, the history, or a later Referer.
  history.replaceState(null, '', location.pathname);

  var MESSAGES = {
    recovery_link_invalid: ['This link cannot be used', 'It may have been used already, replaced by a newer link, or revoked. Ask for a new recovery link.'],
    recovery_link_expired: ['This link has expired', 'Recovery links are valid for a limited time. Ask for a new recovery link.'],
    identity_disabled: ['This account is disabled', 'Recovery is not possible for a disabled account. Contact support.'],
    identity_not_found: ['This account no longer exists', 'Contact support if you think this is a mistake.'],
    rate_limited: ['Too many attempts', 'Please wait a few minutes, then open the link again.'],
    damaged: ['This link is incomplete', 'Part of the link is missing or damaged. Copy the whole link from your message, or ask for a new one.'],
    unavailable: ['Something went wrong on our side', 'Your link has not been used. Please try again in a few minutes.']
  };
  var DAMAGED = { invalid_uuid: true, invalid_input: true, graphql_validation_failed: true };
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  function show(kind, title, text, reference) {
    document.getElementById('start').hidden = true;
    document.getElementById('result').hidden = false;
    var heading = document.getElementById('result-title');
    heading.textContent = title;
    heading.className = kind;
    document.getElementById('result-text').textContent = text;
    var ref = document.getElementById('result-reference');
    ref.hidden = !reference;
    ref.textContent = reference ? 'Reference for support: ' + reference : '';
    heading.focus();
  }
  function fail(id, reference) {
    var message = MESSAGES[DAMAGED[id] ? 'damaged' : id] || MESSAGES.unavailable;
    show('error', message[0], message[1], reference);
  }

  if (!flow || !token || !UUID.test(flow)) { fail('damaged'); return; }

  var button = document.getElementById('continue');
  button.addEventListener('click', function () {
    button.disabled = true;
    button.textContent = 'Confirming…';
    fetch(config.graphqlPath, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      body: JSON.stringify({
        query: config.redeemDocument,
        variables: { input: { flow: flow, token: token } }
      })
    }).then(function (response) { return response.json(); }).then(function (body) {
      var redemption = body && body.data && body.data.redeemRecoveryLink;
      if (redemption) {
        token = null;
        if (config.settingsUiUrl) {
          show('ok', 'Your identity is confirmed', 'Taking you to set new credentials…');
          // The fragment is never sent to a server.
          location.replace(config.settingsUiUrl + '#session_token=' + encodeURIComponent(redemption.sessionToken));
        } else {
          // Without a settings UI the session has nowhere to go; say so rather than pretend.
          show('ok', 'Your identity is confirmed', 'No page for setting new credentials is configured here. Contact support to finish recovering your account.');
        }
        return;
      }
      var error = body && body.errors && body.errors[0] && body.errors[0].extensions && body.errors[0].extensions.error;
      fail(error ? error.id : 'unavailable', error ? error.request : null);
    }).catch(function () { fail('unavailable'); });
  });
})();
</script>
</body>
</html>
`;
