// The zero-violation assertion every Xero test file ends with is only worth something if the simulator
// really catches traffic that breaks xero_accounting.yaml. Here it is fed some on purpose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorClient, startXeroSimulator, type XeroSimulator } from '../../../simulators/xero/index.js';
import { harbour } from './harness.js';

let sim: XeroSimulator;
let auth: Record<string, string>;
beforeAll(async () => {
  sim = await startXeroSimulator();
  auth = { authorization: `Bearer ${sim.admin.grant({ clientId: simulatorClient.clientId }).access_token}` };
});
afterAll(() => sim.close());

const violationsFor = (path: string) =>
  sim.admin.violations().filter((v) => v.path.toLowerCase().endsWith(path.toLowerCase()));

describe('Xero simulator contract checks', () => {
  it('records a request without xero-tenant-id and with a bad page size', async () => {
    const res = await fetch(`${sim.apiBasePath}/Invoices?page=1&pageSize=lots&colour=blue`, { headers: auth });
    expect(res.status).toBe(403);
    expect(violationsFor('/Invoices')).toEqual([
      {
        direction: 'request',
        spec: 'xero_accounting',
        operation: 'getInvoices',
        method: 'GET',
        path: '/api.xro/2.0/Invoices',
        errors: [
          "query parameter 'pageSize': (root) must be integer",
          "query parameter 'colour' is not in the spec",
          "header parameter 'xero-tenant-id' is required",
        ],
      },
    ]);
  });

  it('records a request for a path the spec does not have', async () => {
    await fetch(`${sim.apiBasePath}/Disputes`, { headers: { ...auth, 'xero-tenant-id': harbour } });
    expect(violationsFor('/Disputes')).toMatchObject([
      { direction: 'request', operation: '(none)', errors: ['no operation in the spec matches this method and path'] },
    ]);
  });

  it('records an answer that breaks the documented response schema', async () => {
    sim.admin.failNext({
      status: 400,
      body: { ErrorNumber: 'ten', Message: 'broken on purpose' },
      pathIncludes: '/History',
    });
    const res = await fetch(`${sim.apiBasePath}/Invoices/5b7e2c11-8a4d-4f3e-b9c2-1d6a0e7f3a21/History`, {
      method: 'PUT',
      headers: { ...auth, 'xero-tenant-id': harbour, 'content-type': 'application/json' },
      body: JSON.stringify({ HistoryRecords: [{ Details: 'note' }] }),
    });
    expect(res.status).toBe(400);
    expect(violationsFor('/History')).toMatchObject([
      {
        direction: 'response',
        operation: 'createInvoiceHistory',
        status: 400,
        errors: ['response 400: /ErrorNumber must be integer'],
      },
    ]);
  });
});
