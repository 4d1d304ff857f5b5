// Bulk actions on the executions list, for operators: a preview count, a confirmation with a
// required reason, then the job's progress. Every change goes through the JSON API; the page's
// Basic credentials go with each same-origin request. No inline script: the page's CSP forbids it.
(function () {
  'use strict';
  var panel = document.getElementById('bulk');
  if (!panel) {
    return;
  }
  var dialog = document.getElementById('bulk-dialog');
  var preview = document.getElementById('bulk-preview');
  var reason = document.getElementById('bulk-reason');
  var confirmButton = document.getElementById('bulk-confirm');
  var error = document.getElementById('bulk-error');
  var progress = document.getElementById('bulk-progress');
  var scope = document.getElementById('bulk-scope');
  var labels = { cancel: 'Cancel', retry: 'Retry', 'check-now': 'Check now' };
  var pending = null;

  function picked() {
    return Array.prototype.map.call(document.querySelectorAll('input.pick:checked'), function (box) {
      return box.value;
    });
  }

  // The filter is the page's URL, so the action covers exactly the list being looked at.
  function selection() {
    var ids = picked();
    if (ids.length > 0) {
      return { ids: ids };
    }
    var params = new URLSearchParams(window.location.search);
    var filter = {};
    ['workflow', 'instance', 'advertiser', 'errorType', 'from', 'to'].forEach(function (name) {
      if (params.get(name)) {
        filter[name] = params.get(name);
      }
    });
    var statuses = params.getAll('status').join(',');
    if (statuses) {
      filter.status = statuses.split(',');
    }
    return { filter: filter };
  }

  function showScope() {
    var count = picked().length;
    scope.textContent =
      count > 0 ? count + ' selected execution' + (count === 1 ? '' : 's') : 'Every execution matching this filter';
  }

  // Absolute on the origin: a page opened as http://user:token@host/ would otherwise lend fetch a
  // URL with credentials in it, which fetch refuses.
  function call(method, path, body) {
    return fetch(window.location.origin + path, {
      method: method,
      credentials: 'same-origin',
      // The header makes the API challenge for Basic credentials, as the pages do, so the browser
      // sends the ones it holds for the realm even where it did not send them unasked.
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (answer) {
      return answer.json().then(function (json) {
        if (!answer.ok) {
          throw new Error(json.detail || answer.status + ' ' + answer.statusText);
        }
        return json;
      });
    });
  }

  function open(action) {
    var chosen = selection();
    pending = { action: action, chosen: chosen, count: null };
    document.getElementById('bulk-title').textContent = labels[action] + ': preview';
    preview.textContent = 'Counting…';
    error.textContent = '';
    reason.value = '';
    confirmButton.disabled = true;
    confirmButton.textContent = 'Confirm';
    dialog.showModal();
    call('POST', '/api/v1/executions/bulk/' + action + '/preview', chosen)
      .then(function (answer) {
        pending.count = answer.actionable;
        preview.textContent =
          answer.matching + ' execution' + (answer.matching === 1 ? '' : 's') + ' selected; ' + answer.note + '.';
        preview.dataset.actionable = String(answer.actionable);
        confirmButton.textContent = labels[action] + ' ' + answer.actionable;
        updateConfirm();
      })
      .catch(function (failure) {
        error.textContent = failure.message;
      });
  }

  function updateConfirm() {
    confirmButton.disabled = !pending || !pending.count || reason.value.trim() === '';
  }

  function confirmPending() {
    var body = Object.assign({}, pending.chosen, { reason: reason.value, confirm: pending.count });
    confirmButton.disabled = true;
    call('POST', '/api/v1/executions/bulk/' + pending.action, body)
      .then(function (job) {
        dialog.close();
        pending = null;
        follow(job.id);
      })
      .catch(function (failure) {
        error.textContent = failure.message;
        updateConfirm();
      });
  }

  function follow(id) {
    call('GET', '/api/v1/bulk-jobs/' + id)
      .then(function (job) {
        progress.dataset.job = job.id;
        progress.dataset.state = job.state;
        progress.textContent =
          'Bulk ' + job.action + ' ' + job.state.toLowerCase() + ': ' + job.done + ' done, ' + job.skipped +
          ' skipped, ' + job.failed + ' failed of ' + job.total;
        if (job.state === 'QUEUED' || job.state === 'RUNNING') {
          window.setTimeout(function () { follow(id); }, 1000);
        }
      })
      .catch(function (failure) {
        progress.textContent = failure.message;
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll('button.bulk-start'), function (button) {
    button.addEventListener('click', function () { open(button.dataset.action); });
  });
  // Delegated: the rows come after this script in the page, and live updates replace them.
  document.addEventListener('change', function (event) {
    if (event.target.matches && event.target.matches('input.pick')) {
      showScope();
    }
  });
  reason.addEventListener('input', updateConfirm);
  confirmButton.addEventListener('click', confirmPending);
  document.getElementById('bulk-close').addEventListener('click', function () {
    dialog.close();
    pending = null;
  });

  // The page reloads itself, as the meta refresh would, but never under an open dialog, a
  // selection or a job being followed.
  var refresh = Number(panel.dataset.refresh || 0);
  if (refresh > 0) {
    window.setInterval(function () {
      var following = progress.dataset.state === 'QUEUED' || progress.dataset.state === 'RUNNING';
      // Live updates (live.js) keep the page current by themselves while their stream is open.
      var live = document.body.getAttribute('data-live') === 'on';
      if (!live && !dialog.open && picked().length === 0 && !following) {
        window.location.reload();
      }
    }, refresh * 1000);
  }
})();
