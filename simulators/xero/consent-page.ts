// The consent screen: the user picks which organisations the app may reach, then allows or cancels.
import { consentShell, escapeHtml, hiddenField } from '../shared/consent-page.js';

export interface ConsentRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state?: string;
}

/** `suggested`: the organisations ticked at first (every one when absent, as Xero does for a single-user login). */
export function consentPage(
  req: ConsentRequest,
  tenants: readonly { tenantId: string; name: string }[],
  suggested?: readonly string[],
): string {
  const ticked = (id: string) => suggested === undefined || suggested.includes(id);
  const ordered = [...tenants].sort((a, b) => Number(ticked(b.tenantId)) - Number(ticked(a.tenantId)));
  const choices = ordered
    .map(
      (t) =>
        `<label class="choice"><input type="checkbox" name="tenantId" value="${escapeHtml(t.tenantId)}"${ticked(t.tenantId) ? ' checked' : ''}> ${escapeHtml(t.name)}</label>`,
    )
    .join('\n');
  return consentShell({
    provider: 'Xero',
    title: 'Allow access',
    body: `
<h1>Allow ${escapeHtml(req.clientId)} to access your Xero organisations?</h1>
<p class="lead">It asks for: ${escapeHtml(req.scope)}</p>
<form method="post" action="/connect/authorize/decision">
${hiddenField('client_id', req.clientId)}
${hiddenField('redirect_uri', req.redirectUri)}
${hiddenField('scope', req.scope)}
${req.state === undefined ? '' : hiddenField('state', req.state)}
<fieldset><legend>Organisations</legend>
${choices}
</fieldset>
<div><button type="submit" name="decision" value="allow">Allow access</button>
<button type="submit" name="decision" value="deny" class="secondary">Cancel</button></div>
</form>`,
  });
}
