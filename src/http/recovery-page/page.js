(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('config').textContent);
  var params = new URLSearchParams(location.search);
  var flow = params.get('flow');
  var token = params.get('token');
  // The token must not stay in the address bar, the history, or a later Referer.
  history.replaceState(null, '', location.pathname);

  var MESSAGES = {
    recovery_link_invalid: [
      'This link cannot be used',
      'It may have been used already, replaced by a newer link, or revoked. Ask for a new recovery link.',
    ],
    recovery_link_expired: [
      'This link has expired',
      'Recovery links are valid for a limited time. Ask for a new recovery link.',
    ],
    identity_disabled: [
      'This account is disabled',
      'Recovery is not possible for a disabled account. Contact support.',
    ],
    identity_not_found: ['This account no longer exists', 'Contact support if you think this is a mistake.'],
    rate_limited: ['Too many attempts', 'Please wait a few minutes, then open the link again.'],
    damaged: [
      'This link is incomplete',
      'Part of the link is missing or damaged. Copy the whole link from your message, or ask for a new one.',
    ],
    unavailable: [
      'Something went wrong on our side',
      'Your link has not been used. Please try again in a few minutes.',
    ],
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

  // The server allowlists returnTo; this only refuses what is no web page at all.
  function continuation(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
  }

  if (!flow || !token || !UUID.test(flow)) {
    fail('damaged');
    return;
  }

  var button = document.getElementById('continue');
  button.addEventListener('click', function () {
    button.disabled = true;
    button.textContent = 'Confirming…';
    fetch(config.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      body: JSON.stringify({
        query: config.redeemDocument,
        variables: { input: { flow: flow, token: token } },
      }),
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        var redemption = body && body.data && body.data.redeemRecoveryLink;
        if (redemption) {
          token = null;
          // The link's own returnTo (allowlisted when it was created, and still) comes first.
          var next = continuation(redemption.returnTo) || config.settingsUiUrl;
          if (next) {
            show('ok', 'Your identity is confirmed', 'Taking you to set new credentials…');
            // The fragment is never sent to a server.
            location.replace(next + '#session_token=' + encodeURIComponent(redemption.sessionToken));
          } else {
            // Without a settings UI the session has nowhere to go; say so rather than pretend.
            show(
              'ok',
              'Your identity is confirmed',
              'No page for setting new credentials is configured here. Contact support to finish recovering your account.',
            );
          }
          return;
        }
        var error =
          body && body.errors && body.errors[0] && body.errors[0].extensions && body.errors[0].extensions.error;
        fail(error ? error.id : 'unavailable', error ? error.request : null);
      })
      .catch(function () {
        fail('unavailable');
      });
  });
})();
