// The backfill form (served by the daemon itself, CSP script-src 'self'). It changes state only by
// calling the JSON API, POST /api/v1/executions/backfill with Content-Type application/json: a
// preview first (dryRun), then the registration of exactly what was previewed. Every text the
// server sends is put in the page as text, never as markup.
(function () {
  'use strict';

  var form = document.getElementById('backfill-form');
  var result = document.getElementById('backfill-result');
  var register = document.getElementById('backfill-register');
  if (!form || !result || !register || typeof window.fetch !== 'function') {
    return;
  }
  // Against the origin, not the page's address: an address that carries credentials
  // (http://user:token@host/) would make fetch refuse the request.
  var api = new URL(form.getAttribute('data-api'), window.location.origin).href;
  // The body the last preview answered; Register sends it, so what is stored is what was shown.
  var previewed = null;

  function field(name) {
    return form.elements.namedItem(name).value.trim();
  }

  function body() {
    var request = {
      workflowId: field('workflowId'),
      from: field('from'),
      to: field('to'),
      period: field('period')
    };
    var parameters = field('parameterValues');
    if (parameters) {
      var parsed;
      try {
        parsed = JSON.parse(parameters);
      } catch (e) {
        throw new Error('Parameters must be a JSON object, e.g. {"country": "US"}.');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('Parameters must be a JSON object, e.g. {"country": "US"}.');
      }
      request.parameterValues = parsed;
    }
    var reason = field('reason');
    if (reason) {
      request.reason = reason;
    }
    if (!request.workflowId) {
      throw new Error('Choose a workflow.');
    }
    if (!request.from || !request.to) {
      throw new Error('Give both dates.');
    }
    return request;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function show(nodes) {
    result.replaceChildren.apply(result, nodes);
  }

  function failure(text) {
    show([element('p', 'failure', text)]);
  }

  function send(request, dryRun) {
    var payload = Object.assign({}, request, { dryRun: dryRun });
    return fetch(api, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        // Marks a call made by the daemon's own page: the access filter refuses changes made with
        // a browser's credentials without it (another site's page cannot add it).
        'X-Requested-With': 'XMLHttpRequest'
      },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (answer) {
          return { status: response.status, answer: answer };
        });
    });
  }

  function windowsTable(answer, items) {
    var table = element('table', 'windows');
    var head = element('thead');
    var headRow = element('tr');
    ['#', 'Window start (UTC)', 'End (exclusive)', 'State'].forEach(function (title) {
      headRow.appendChild(element('th', null, title));
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var rows = element('tbody');
    answer.windows.forEach(function (window, index) {
      var row = element('tr', 'window');
      row.setAttribute('data-start', window.start);
      row.appendChild(element('td', 'num', index + 1));
      row.appendChild(element('td', 'mono', window.start));
      row.appendChild(element('td', 'mono', window.end + (window.partial ? ' (partial)' : '')));
      var state;
      if (items) {
        var item = items[index];
        state =
          item.status === 201
            ? 'registered now'
            : item.status === 200
              ? 'registered before'
              : item.status + ': ' + item.detail;
      } else {
        state = window.registered ? 'registered already' : 'new';
      }
      row.appendChild(element('td', 'state', state));
      rows.appendChild(row);
    });
    table.appendChild(rows);
    var scroll = element('div', 'scroll');
    scroll.appendChild(table);
    return scroll;
  }

  function preview(event) {
    event.preventDefault();
    previewed = null;
    register.disabled = true;
    var request;
    try {
      request = body();
    } catch (e) {
      failure(e.message);
      return;
    }
    show([element('p', 'sub', 'Working out the windows…')]);
    send(request, true)
      .then(function (reply) {
        if (reply.status !== 200) {
          failure(reply.status + ': ' + (reply.answer.detail || 'the preview was refused'));
          return;
        }
        var answer = reply.answer;
        var fresh = answer.windowCount - answer.alreadyRegistered;
        previewed = request;
        register.disabled = fresh === 0;
        register.textContent =
          fresh === 1 ? 'Register 1 execution' : 'Register ' + fresh + ' executions';
        show([
          element(
            'p',
            'summary',
            answer.windowCount +
              ' windows, ' +
              answer.period.toLowerCase() +
              ', ' +
              answer.from +
              ' to ' +
              answer.to +
              ' (exclusive): ' +
              fresh +
              ' to register, ' +
              answer.alreadyRegistered +
              ' registered already.'
          ),
          windowsTable(answer, null)
        ]);
      })
      .catch(function () {
        failure('The daemon did not answer; nothing was registered.');
      });
  }

  function commit() {
    if (!previewed) {
      return;
    }
    var request = previewed;
    previewed = null;
    register.disabled = true;
    show([element('p', 'sub', 'Registering…')]);
    send(request, false)
      .then(function (reply) {
        var answer = reply.answer;
        if (reply.status === 200 && answer.registration) {
          var batch = answer.registration;
          show([
            element(
              'p',
              'summary success',
              'Registered ' +
                batch.created +
                ' new executions; ' +
                batch.replayed +
                ' windows were registered before.'
            ),
            windowsTable(answer, batch.items)
          ]);
        } else if (answer.registration) {
          show([
            element(
              'p',
              'summary failure',
              'Nothing was registered: ' +
                answer.registration.refused +
                ' windows were refused (see below). Fix them and preview again.'
            ),
            windowsTable(answer, answer.registration.items)
          ]);
        } else {
          failure(reply.status + ': ' + (answer.detail || 'the backfill was refused'));
        }
      })
      .catch(function () {
        failure('The daemon did not answer. Preview again: windows already registered show so.');
      });
  }

  // A change after the preview needs a new preview: Register sends only what was shown.
  form.addEventListener('input', function () {
    previewed = null;
    register.disabled = true;
  });
  form.addEventListener('submit', preview);
  register.addEventListener('click', commit);
})();
