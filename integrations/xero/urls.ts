// Where Xero lives. Identity and the API are separate hosts in production; a base URL (the simulator, or any
// fake that keeps Xero's paths) puts every endpoint on that one host.
export interface XeroUrls {
  readonly issuer: string;
  readonly authorize: string;
  readonly token: string;
  readonly revocation: string;
  readonly jwks: string;
  /** GET lists the tenants a grant reaches; DELETE /{id} disconnects one. */
  readonly connections: string;
  /** xero-node's `accountingApi.basePath`. */
  readonly accountingApi: string;
}

export const xeroUrls: XeroUrls = {
  issuer: 'https://identity.xero.com',
  authorize: 'https://login.xero.com/identity/connect/authorize',
  token: 'https://identity.xero.com/connect/token',
  revocation: 'https://identity.xero.com/connect/revocation',
  jwks: 'https://identity.xero.com/.well-known/openid-configuration/jwks',
  connections: 'https://api.xero.com/connections',
  accountingApi: 'https://api.xero.com/api.xro/2.0',
};

export function xeroUrlsAt(baseUrl: string): XeroUrls {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    issuer: base,
    authorize: `${base}/connect/authorize`,
    token: `${base}/connect/token`,
    revocation: `${base}/connect/revocation`,
    jwks: `${base}/.well-known/openid-configuration/jwks`,
    connections: `${base}/connections`,
    accountingApi: `${base}/api.xro/2.0`,
  };
}
