// The consent screen: the user picks which organisations the app may reach, then allows or cancels.
export interface ConsentRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state?: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escape(value)}">`;

export function consentPage(req: ConsentRequest, tenants: readonly { tenantId: string; name: string }[]): string {
  const choices = tenants
    .map((t) => `<label><input type="checkbox" name="tenantId" value="${escape(t.tenantId)}" checked> ${escape(t.name)}</label><br>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Xero simulator – allow access</title></head>
<body>
<h1>Allow ${escape(req.clientId)} to access your Xero organisations?</h1>
<p>Scopes: ${escape(req.scope)}</p>
<form method="post" action="/connect/authorize/decision">
${hidden('client_id', req.clientId)}
${hidden('redirect_uri', req.redirectUri)}
${hidden('scope', req.scope)}
${req.state === undefined ? '' : hidden('state', req.state)}
${choices}
<button type="submit" name="decision" value="allow">Allow access</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
</body></html>`;
}
