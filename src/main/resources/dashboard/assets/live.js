// Live updates for the executions list and an execution's page (served by the daemon itself, CSP
// script-src 'self'). It follows the audit trail's event stream (GET /api/v1/events/stream, same
// origin, so the browser sends the page's own credentials) and, when an event that concerns the
// page arrives, reads the page again and swaps in its live region: the server renders it as
// always, so filters, counts and escaping stay the server's. These pages carry their meta refresh
// inside <noscript> (a browser keeps a refresh it has seen even when the element is removed), so
// with scripts on this script is the fallback: it reloads at the same interval while the stream
// is not open, and for good once the stream is refused.
(function () {
  'use strict';

  var script = document.currentScript;
  var region = document.getElementById('live-region');
  if (!script || !region || typeof window.EventSource !== 'function') {
    return;
  }
  var scope = region.getAttribute('data-live');
  var execution = region.getAttribute('data-execution');
  var types = (script.getAttribute('data-event-types') || '').split(' ').filter(Boolean);
  var refresh = Number(script.getAttribute('data-refresh') || 0);
  var reload = null;
  var mode = document.querySelector('header.top .refresh-mode');
  var generated = document.querySelector('header.top .generated-at');
  // At most one read of the page at a time, and at least this long between two: a burst of
  // events costs one or two reads, however many it holds.
  var GAP_MS = 1000;
  var reading = false;
  var again = false;
  var lastRead = 0;
  // The page and the stream against the origin, not the page's address: an address that carries
  // credentials (http://user:token@host/) would make fetch refuse the request.
  var here = window.location.origin + window.location.pathname + window.location.search;

  function live(on) {
    document.body.setAttribute('data-live', on ? 'on' : 'off');
    if (on && reload !== null) {
      window.clearTimeout(reload);
      reload = null;
    } else if (!on && reload === null && refresh > 0) {
      reload = window.setTimeout(function () {
        if (!busy()) {
          window.location.reload();
        }
      }, refresh * 1000);
    }
    if (mode) {
      mode.textContent = on ? ' · live' : refresh > 0 ? ' · reloads every ' + refresh + ' s' : '';
    }
  }

  function concerns(event) {
    if (scope !== 'execution') {
      return true;
    }
    try {
      return JSON.parse(event.data).executionId === execution;
    } catch (e) {
      return false;
    }
  }

  function schedule() {
    again = true;
    if (reading) {
      return;
    }
    reading = true;
    window.setTimeout(read, Math.max(0, lastRead + GAP_MS - Date.now()));
  }

  // An operator's bulk dialog or ticked rows (bulk.js) would be lost with the rows they sit on:
  // the page is read again once they are gone.
  function busy() {
    return document.querySelector('dialog[open], input.pick:checked') !== null;
  }

  function read() {
    if (busy()) {
      window.setTimeout(read, GAP_MS);
      return;
    }
    again = false;
    lastRead = Date.now();
    fetch(here, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'text/html' }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        var fresh = page.getElementById('live-region');
        var current = document.getElementById('live-region');
        if (fresh && current) {
          current.replaceWith(document.importNode(fresh, true));
        }
        var freshGenerated = page.querySelector('header.top .generated-at');
        if (freshGenerated && generated) {
          generated.textContent = freshGenerated.textContent;
        }
      })
      .catch(function () {
        // The next event tries again; a refused stream brings the reloads back.
      })
      .then(function () {
        reading = false;
        if (again) {
          schedule();
        }
      });
  }

  // A browser opens at most six connections to one host over HTTP/1.1, and each open stream holds
  // one: a page left for another (kept in the back-forward cache) closes its stream, and a page
  // shown again reads itself once and opens a new one.
  var stream = null;

  function open() {
    stream = new EventSource(
      new URL(script.getAttribute('data-stream'), window.location.origin).href
    );
    stream.addEventListener('open', function () {
      live(true);
    });
    stream.addEventListener('error', function () {
      // CLOSED: refused (401, 403, not an event stream); the browser will not retry, so reload
      // as before. Otherwise it reconnects by itself, resuming after the last event it saw.
      if (stream.readyState === EventSource.CLOSED) {
        live(false);
      }
    });
    types.forEach(function (type) {
      stream.addEventListener(type, function (event) {
        if (concerns(event)) {
          schedule();
        }
      });
    });
  }

  window.addEventListener('pagehide', function () {
    if (stream !== null) {
      stream.close();
      stream = null;
    }
  });
  window.addEventListener('pageshow', function (event) {
    if (event.persisted && stream === null) {
      live(false);
      open();
      schedule();
    }
  });
  // Until the stream opens, the page reloads as its meta refresh would.
  live(false);
  open();
})();
