/**
 * The one script of the hosted pages, served as /assets/hush.js (never
 * inline: the page CSP allows only scripts from hush's own origin). The pages
 * work without it; with it, forms post to the JSON API with fetch, errors are
 * tied to their fields, and the proof-of-work is solved on submit.
 *
 * It is kept as plain browser JavaScript in a string because hush ships no
 * browser build step; the browser tests execute it, and test/http/pages
 * checks that it parses. It must not use template literals (this is one).
 *
 * What it does, in order:
 * 1. Takes a token from the URL fragment (`#token=…`, where mail links put it
 *    so it never reaches a server or a Referer), puts it in the form, and
 *    clears the fragment from the address bar and history at once.
 * 2. Registers the ALTCHA SHA worker served by hush (the widget's `external`
 *    build bundles none).
 * 3. Submits forms with fetch (form-encoded), shows the flow's one reply, or
 *    goes where the form says to go next.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var POW_FAILED = 'We could not check that this is a real browser. Reload the page and try again. If it keeps failing, try another browser.';
  var NETWORK_FAILED = 'We could not reach the server. Check your connection and try again.';

  function takeToken() {
    var m = /^#token=([^&]+)/.exec(window.location.hash);
    if (!m) return null;
    history.replaceState(null, '', window.location.pathname + window.location.search);
    try { return decodeURIComponent(m[1]); } catch (e) { return null; }
  }

  function applyToken(token) {
    document.querySelectorAll('input[data-token]').forEach(function (input) {
      if (token === null) return;
      input.value = token;
      var row = input.closest('[data-token-field]');
      if (row) row.hidden = true;
    });
    document.querySelectorAll('[data-when-token]').forEach(function (el) {
      el.hidden = (el.getAttribute('data-when-token') === 'show') !== (token !== null);
    });
  }

  applyToken(takeToken());
  // A link opened in a tab already showing this page changes only the fragment: no reload.
  window.addEventListener('hashchange', function () {
    var token = takeToken();
    if (token !== null) applyToken(token);
  });

  var worker = document.body.getAttribute('data-pow-worker');
  if (worker && window.$altcha) {
    ['SHA-256', 'SHA-384', 'SHA-512'].forEach(function (name) {
      window.$altcha.algorithms.set(name, function () { return new Worker(worker); });
    });
  }

  function part(form, suffix) { return document.getElementById(form.id + '-' + suffix); }

  function clearErrors(form) {
    part(form, 'alert').textContent = '';
    form.querySelectorAll('[aria-invalid]').forEach(function (input) {
      input.removeAttribute('aria-invalid');
      var err = document.getElementById(input.id + '-error');
      if (err) err.textContent = '';
    });
  }

  function sentence(label, reason) {
    return label + ' ' + reason + (/[.!?]$/.test(reason) ? '' : '.');
  }

  function showErrors(form, body) {
    var error = (body && body.error) || {};
    var details = error.details || [];
    var first = null;
    var general = [];
    details.forEach(function (d) {
      var input = d.field ? form.querySelector('[name="' + d.field + '"]:not([tabindex="-1"])') : null;
      var slot = input && document.getElementById(input.id + '-error');
      if (d.field === 'pow') { general.push(POW_FAILED); return; }
      if (!slot || input.type === 'hidden' || input.closest('[hidden]')) { general.push(error.message || ''); return; }
      input.setAttribute('aria-invalid', 'true');
      slot.textContent = sentence(input.getAttribute('data-label') || d.field, d.reason);
      if (!first) first = input;
    });
    if (details.length === 0) general.push(error.message || 'Something went wrong. Try again.');
    part(form, 'alert').textContent = general.filter(function (x, i, all) { return x && all.indexOf(x) === i; }).join(' ');
    if (first) first.focus();
  }

  function done(form, body) {
    // A right password (or link) for an account with two-step sign-in: on to the code.
    if (body && body.status === 'second_factor_required') { window.location.assign('/login/second-factor'); return; }
    var next = form.getAttribute('data-next');
    // The server accepted the return_to (or sent its default page) before putting it in the reply.
    if (next) { window.location.assign((body && body.return_to) || next); return; }
    var result = document.getElementById('result');
    document.querySelectorAll('[data-hide-when-done]').forEach(function (el) { el.hidden = true; });
    result.querySelector('[data-message]').textContent = (body && body.message) || '';
    result.hidden = false;
    result.focus();
  }

  function post(url, data) {
    var body = new URLSearchParams();
    data.forEach(function (value, key) { if (typeof value === 'string') body.append(key, value); });
    return fetch(url, {
      method: 'POST', body: body, credentials: 'same-origin', redirect: 'error', referrerPolicy: 'no-referrer',
      headers: { Accept: 'application/json' }
    }).then(function (res) {
      if (res.status === 204) return { ok: true, status: 204, body: null };
      return res.json().catch(function () { return null; }).then(function (json) {
        return { ok: res.ok, status: res.status, body: json };
      });
    });
  }

  function solve(form, widget) {
    var status = part(form, 'status');
    status.textContent = 'Checking that this is a real browser…';
    return Promise.resolve()
      .then(function () { return widget.verify(); })
      .catch(function () { return null; })
      .then(function (r) {
        status.textContent = '';
        if (r && r.payload) return r.payload;
        if (widget.reset) widget.reset();
        part(form, 'alert').textContent = POW_FAILED;
        return null;
      });
  }

  function powRequired(res) {
    return res.status === 400 && res.body && res.body.error && res.body.error.code === 'HUSH_POW_REQUIRED';
  }

  // The browser's own checks, shown like the server's: tied to the field, not a bubble.
  // (Native validation is off on enhanced forms: the widget's internal checkbox would block it.)
  function checkFields(form) {
    var invalid = Array.prototype.filter.call(form.querySelectorAll('input[data-label]'), function (input) {
      return !input.closest('[hidden]') && !input.checkValidity();
    });
    invalid.forEach(function (input) {
      input.setAttribute('aria-invalid', 'true');
      var slot = document.getElementById(input.id + '-error');
      if (slot) slot.textContent = input.validationMessage;
    });
    if (invalid.length > 0) invalid[0].focus();
    return invalid.length === 0;
  }

  function submit(form) {
    if (form.getAttribute('aria-busy') === 'true') return;
    clearErrors(form);
    if (!checkFields(form)) return;
    var button = form.querySelector('button[type=submit]');
    var widget = form.querySelector('altcha-widget');
    var data = new FormData(form);
    if (!data.get('pow')) data.delete('pow');
    form.setAttribute('aria-busy', 'true');
    button.disabled = true;
    var withPow = function (payload) {
      if (payload === null) return null;
      data.set('pow', payload);
      return post(form.getAttribute('data-api'), data);
    };
    var first = widget && form.getAttribute('data-pow') === 'always'
      ? solve(form, widget).then(withPow)
      : post(form.getAttribute('data-api'), data);
    first
      .then(function (res) {
        if (res && widget && powRequired(res)) return solve(form, widget).then(withPow);
        return res;
      })
      .then(function (res) {
        if (res === null) return;
        if (res.ok) done(form, res.body);
        else showErrors(form, res.body);
        if (widget && widget.reset) widget.reset();
      })
      .catch(function () { part(form, 'alert').textContent = NETWORK_FAILED; })
      .then(function () {
        form.removeAttribute('aria-busy');
        button.disabled = false;
      });
  }

  document.querySelectorAll('form[data-api]').forEach(function (form) {
    form.noValidate = true;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      submit(form);
    });
  });
})();
`;
