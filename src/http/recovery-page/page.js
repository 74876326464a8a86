(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('config').textContent);
  var params = new URLSearchParams(location.search);
  var flow = params.get('flow');
  var token = params.get('token');
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  // The token must not stay in the address bar, the history, or a later Referer. A code's
  // link carries only the flow, which stays so that a reload (after reading the code in
  // another app) still shows the form; the code itself never enters the URL.
  var codeFlow = !token && flow && UUID.test(flow);
  history.replaceState(
    null,
    '',
    codeFlow ? location.pathname + '?flow=' + encodeURIComponent(flow) : location.pathname,
  );

  var MESSAGES = {
    recovery_link_invalid: [
      'This link cannot be used',
      'It may have been used already, replaced by a newer link, or revoked. Ask for a new recovery link.',
    ],
    recovery_link_expired: [
      'This link has expired',
      'Recovery links are valid for a limited time. Ask for a new recovery link.',
    ],
    recovery_code_attempts_exhausted: [
      'Too many wrong codes',
      'This recovery code can no longer be used. Ask for a new recovery code.',
    ],
    recovery_code_expired: [
      'This code has expired',
      'Recovery codes are valid for a limited time. Ask for a new recovery code.',
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

  function show(kind, title, text, reference) {
    document.getElementById('start').hidden = true;
    document.getElementById('code').hidden = true;
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
  function redeem(operation, variables) {
    return fetch(config.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      body: JSON.stringify({ query: operation, variables: { input: variables } }),
    }).then(function (response) {
      return response.json();
    });
  }
  function errorOf(body) {
    return body && body.errors && body.errors[0] && body.errors[0].extensions && body.errors[0].extensions.error;
  }
  // Links and codes continue alike once redeemed.
  // The server allowlists returnTo; this only refuses what is no web page at all.
  function continuation(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
  }

  function proceed(redemption) {
    // The flow's own returnTo (allowlisted when it was created, and still) comes first.
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
  }

  if (codeFlow) {
    codeForm();
    return;
  }
  if (!flow || !token || !UUID.test(flow)) {
    fail('damaged');
    return;
  }

  var button = document.getElementById('continue');
  button.addEventListener('click', function () {
    button.disabled = true;
    button.textContent = 'Confirming…';
    redeem(config.redeemDocument, { flow: flow, token: token })
      .then(function (body) {
        var redemption = body && body.data && body.data.redeemRecoveryLink;
        if (redemption) {
          token = null;
          proceed(redemption);
          return;
        }
        var error = errorOf(body);
        fail(error ? error.id : 'unavailable', error ? error.request : null);
      })
      .catch(function () {
        fail('unavailable');
      });
  });

  /**
   * The code form. Nothing is sent until the person submits (an autofilled code is not
   * submitted by itself: scanners and previews must not use attempts up). The server
   * answers an unknown flow, a wrong code and a used one alike, so the attempts left are
   * counted here from the configured maximum, never read from the answer.
   */
  function codeForm() {
    document.getElementById('start').hidden = true;
    document.getElementById('code').hidden = false;
    var form = document.getElementById('code-form');
    var input = document.getElementById('code-input');
    var submit = document.getElementById('code-submit');
    var status = document.getElementById('code-status');
    var attemptsLeft = config.codeMaxAttempts;
    input.maxLength = config.codeDigits;
    input.focus();
    // Digits only: what people paste often has spaces or dashes between groups.
    input.addEventListener('input', function () {
      var digits = input.value.replace(/[^0-9]/g, '').slice(0, config.codeDigits);
      if (digits !== input.value) input.value = digits;
      submit.disabled = digits.length !== config.codeDigits;
    });
    input.addEventListener('paste', function (event) {
      var text = event.clipboardData && event.clipboardData.getData('text');
      if (!text) return;
      event.preventDefault();
      input.value = text.replace(/[^0-9]/g, '').slice(0, config.codeDigits);
      input.dispatchEvent(new Event('input'));
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (submit.disabled) return;
      var code = input.value;
      // The code leaves the page's fields at once; it lives only in this request.
      input.value = '';
      input.disabled = true;
      submit.disabled = true;
      submit.textContent = 'Confirming…';
      redeem(config.redeemCodeDocument, { flow: flow, code: code })
        .then(function (body) {
          var redemption = body && body.data && body.data.redeemRecoveryCode;
          if (redemption) {
            proceed(redemption);
            return;
          }
          var error = errorOf(body);
          if (error && error.id === 'recovery_code_invalid') {
            attemptsLeft -= 1;
            if (attemptsLeft <= 0) {
              fail('recovery_code_attempts_exhausted', error.request);
              return;
            }
            input.disabled = false;
            submit.textContent = 'Continue';
            status.className = 'error';
            status.textContent =
              'That code is not right, or it was used or replaced already. ' +
              attemptsLeft +
              (attemptsLeft === 1 ? ' attempt left.' : ' attempts left.');
            input.focus();
            return;
          }
          fail(error ? error.id : 'unavailable', error ? error.request : null);
        })
        .catch(function () {
          fail('unavailable');
        });
    });
  }
})();
