// The host side of the ZAF v2 postMessage protocol (see zendesk_app_framework_sdk/lib/client.js and
// FIELD-NOTES "Hosting the Zendesk app outside Zendesk"): handshake -> zaf.app.registered, get/invoke
// replies, and request:N answered with zaf.request:N.done/.fail after going through /proxy.
(function () {
  'use strict';
  var cfg = window.HOST_CONFIG;
  var frame = document.getElementById('app');
  window.__zafLog = [];

  function send(msg) {
    frame.contentWindow.postMessage(JSON.stringify(msg), '*');
  }

  function context() {
    return {
      location: cfg.location,
      instanceGuid: cfg.appGuid,
      product: 'support',
      account: { subdomain: 'demo' },
      ticketId: cfg.location === 'ticket_sidebar' ? cfg.ticket.id : undefined,
    };
  }

  var values = {
    currentUser: function () {
      return cfg.currentUser;
    },
    'currentUser.id': function () {
      return cfg.currentUser.id;
    },
    'currentUser.locale': function () {
      return cfg.currentUser.locale;
    },
    'currentUser.role': function () {
      return cfg.currentUser.role;
    },
    'ticket.id': function () {
      return cfg.ticket.id;
    },
    'ticket.requester': function () {
      return cfg.ticket.requester;
    },
    'ticket.organization': function () {
      return cfg.ticket.organization;
    },
    'ticket.subject': function () {
      return cfg.ticket.subject;
    },
  };

  function onGet(msg) {
    var result = {};
    var errors = {};
    (msg.params || []).forEach(function (path) {
      if (values[path]) result[path] = values[path]();
      else errors[path] = { message: 'is not available in the demo host', name: 'APIUnavailable', path: path };
    });
    if (Object.keys(errors).length) result.errors = errors;
    send({ id: msg.id, result: result });
  }

  function onInvoke(msg) {
    var params = msg.params || {};
    if (params.resize && params.resize[0] && params.resize[0].height) frame.style.height = params.resize[0].height;
    send({ id: msg.id, result: {} });
  }

  function onRequest(key, options) {
    fetch('/proxy', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(options) })
      .then(function (r) {
        return r.json();
      })
      .then(function (answer) {
        var json;
        try {
          json = answer.text ? JSON.parse(answer.text) : null;
        } catch (e) {
          json = null;
        }
        var xhr = { status: answer.status, responseText: answer.text, responseJSON: json };
        if (answer.status >= 200 && answer.status < 300)
          send({ key: 'zaf.' + key + '.done', message: { responseArgs: [json, 'success', xhr] } });
        else send({ key: 'zaf.' + key + '.fail', message: { responseArgs: [xhr] } });
      })
      .catch(function () {
        send({ key: 'zaf.' + key + '.fail', message: { responseArgs: [{ status: 0, responseText: '' }] } });
      });
  }

  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow) return;
    var msg;
    try {
      msg = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch (e) {
      return;
    }
    window.__zafLog.push(msg.key || msg.request);
    if (msg.key === 'iframe.handshake') {
      window.__zafRegisteredAt = performance.now();
      send({
        key: 'zaf.app.registered',
        message: {
          context: context(),
          metadata: { appId: 0, installationId: 1, name: 'Standing', settings: cfg.settings },
        },
      });
    } else if (msg.request === 'get') onGet(msg);
    else if (msg.request === 'invoke') onInvoke(msg);
    else if (msg.request === 'set') send({ id: msg.id, result: {} });
    else if (typeof msg.key === 'string' && msg.key.indexOf('request:') === 0) onRequest(msg.key, msg.message);
  });
})();
