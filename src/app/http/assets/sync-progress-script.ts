// The connections page's live sync progress: while a sync runs, reads the progress fragment every 2 seconds and
// swaps each connection's cell in place. Without script the page links to a progress page that refreshes itself.
export const syncProgressScript = `'use strict';
(function () {
  var running = function () { return document.querySelector('[data-sync-progress][data-running="true"]') !== null; };
  if (!running()) return;
  var follow = document.getElementById('sync-follow');
  if (follow) follow.hidden = true;
  var tick = function () {
    fetch('/connections/progress?fragment=1', { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(new Error(String(res.status))); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        doc.querySelectorAll('[data-sync-progress]').forEach(function (fresh) {
          var old = document.getElementById(fresh.id);
          if (old) old.replaceWith(document.importNode(fresh, true));
        });
        if (running()) setTimeout(tick, 2000);
      })
      .catch(function () { setTimeout(tick, 10000); });
  };
  setTimeout(tick, 2000);
})();
`;
