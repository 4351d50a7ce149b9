// GET/DELETE https://api.xero.com/connections. xero-node's updateTenants()/disconnect() hard-code that host
// (and updateTenants adds an Organisation call per tenant), so we make these two calls ourselves, against
// the configured URL: the seam that lets the simulator stand in without intercepting HTTP.
import { z } from 'zod';
import { IntegrationError } from '../errors.js';
import { fromHttpFailure } from './errors.js';
import { XeroConnection } from './schemas.js';

export interface ConnectionsApi {
  readonly url: string;
  readonly timeoutMs: number;
  readonly now: () => number;
}

async function send(
  c: ConnectionsApi,
  what: string,
  url: string,
  init: { method: string; accessToken: string },
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: { authorization: `Bearer ${init.accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(c.timeoutMs),
    });
  } catch (e) {
    throw new IntegrationError('transient', `Xero ${what} failed: ${e instanceof Error ? e.message : String(e)}`, {
      provider: 'xero',
      cause: e,
    });
  }
  if (res.ok) return res;
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the message
  }
  throw fromHttpFailure(
    { status: res.status, body, headers: Object.fromEntries(res.headers) },
    what,
    undefined,
    c.now(),
  );
}

export async function listConnections(c: ConnectionsApi, accessToken: string): Promise<XeroConnection[]> {
  const res = await send(c, 'connections list', c.url, { method: 'GET', accessToken });
  const parsed = z.array(XeroConnection).safeParse(await res.json());
  if (!parsed.success)
    throw new IntegrationError('invalid', `Xero connections came back malformed: ${z.prettifyError(parsed.error)}`, {
      provider: 'xero',
    });
  return parsed.data;
}

export async function deleteConnection(c: ConnectionsApi, accessToken: string, connectionId: string): Promise<void> {
  try {
    await send(c, 'disconnect', `${c.url}/${encodeURIComponent(connectionId)}`, { method: 'DELETE', accessToken });
  } catch (e) {
    if (e instanceof IntegrationError && e.kind === 'not_found') return; // already gone: that is what we wanted
    throw e;
  }
}
