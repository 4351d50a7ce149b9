// The case page's upload script: sends the chosen file as application/octet-stream (no multipart parser is
// installed yet). Served as a file so the CSP can forbid inline scripts.
export const uploadScript = `'use strict';
document.querySelectorAll('form[data-upload]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = form.querySelector('input[type=file]').files[0];
    var status = form.querySelector('[data-upload-status]');
    if (!file) { status.textContent = 'Choose a file first.'; return; }
    var kind = form.querySelector('select[name=kind]').value;
    var query = new URLSearchParams({ name: file.name, kind: kind, type: file.type || 'application/octet-stream' });
    status.textContent = 'Uploading ' + file.name + '…';
    fetch(form.action + '?' + query.toString(), {
      method: 'POST', credentials: 'same-origin', body: file,
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': form.querySelector('input[name=_csrf]').value, accept: 'application/json' }
    }).then(function (res) {
      return res.json().then(function (body) {
        if (res.ok) { window.location.assign(body.location); return; }
        status.textContent = (body.error && body.error.message) || 'The upload failed.';
      });
    }).catch(function () { status.textContent = 'The upload failed. Check your connection and try again.'; });
  });
});
`;
