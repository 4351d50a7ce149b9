// Where QuickBooks lives. Production hosts by default; a base URL (the simulator, or any fake that keeps
// Intuit's paths) puts every endpoint on that one host.
export interface QuickbooksUrls {
  readonly authorize: string;
  readonly token: string;
  readonly revoke: string;
  readonly userInfo: string;
  /** node-quickbooks appends `<realmId>/<resource>` to this. */
  readonly api: string;
}

export const intuitUrls: QuickbooksUrls = {
  authorize: 'https://appcenter.intuit.com/connect/oauth2',
  token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
  revoke: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
  userInfo: 'https://accounts.platform.intuit.com/v1/openid_connect/userinfo',
  api: 'https://quickbooks.api.intuit.com/v3/company/',
};

export const intuitSandboxApi = 'https://sandbox-quickbooks.api.intuit.com/v3/company/';

export function quickbooksUrlsAt(baseUrl: string): QuickbooksUrls {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    authorize: `${base}/connect/oauth2`,
    token: `${base}/oauth2/v1/tokens/bearer`,
    revoke: `${base}/v2/oauth2/tokens/revoke`,
    userInfo: `${base}/v1/openid_connect/userinfo`,
    api: `${base}/v3/company/`,
  };
}
