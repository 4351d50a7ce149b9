// The contract checker the simulator runs on every request and answer: it must catch what it is there for.
import { describe, expect, it } from 'vitest';
import { contracts } from '../../../../simulators/xero/openapi/hooks.js';

const id = '5b7e2c11-8a4d-4f3e-b9c2-1d6a0e7f3a21';
const tenant = { 'xero-tenant-id': '3f3b3c1e-6a4e-4c57-9a3b-6b0c2d1e4f01' };

describe('OpenAPI contract checks against xero_accounting.yaml', () => {
  const { accounting, identity } = contracts();
  const op = (method: string, path: string, accept = 'application/json') => {
    const found = accounting.match(method, `/api.xro/2.0${path}`, accept);
    if (!found) throw new Error(`no operation for ${method} ${path}`);
    return found;
  };

  it('finds operations by method, path and Accept, including the PDF alias of GET /Invoices/{id}', () => {
    expect(op('GET', '/Invoices').id).toBe('getInvoices');
    expect(op('GET', `/Invoices/${id}`).id).toBe('getInvoice');
    expect(op('GET', `/Invoices/${id}`, 'application/pdf').id).toBe('getInvoiceAsPdf');
    expect(op('PUT', `/CreditNotes/${id}/Allocations`).id).toBe('createCreditNoteAllocation');
    expect(accounting.match('GET', '/api.xro/2.0/Disputes', 'application/json')).toBeUndefined();
  });

  it('accepts a well-formed request and flags bad parameters, unknown parameters and a missing tenant', () => {
    const list = op('GET', '/Invoices');
    const good = {
      path: '/api.xro/2.0/Invoices',
      query: { page: ['2'], pageSize: ['1000'], where: ['Type=="ACCREC"'], Statuses: ['AUTHORISED'] },
      headers: { ...tenant, 'if-modified-since': '2026-05-01T00:00:00.000Z' },
    };
    expect(accounting.checkRequest(list, good)).toEqual([]);
    expect(
      accounting.checkRequest(list, {
        ...good,
        query: { page: ['two'], limit: ['5'] },
        headers: { 'if-modified-since': 'last tuesday' },
      }),
    ).toEqual([
      "query parameter 'page': (root) must be integer",
      "query parameter 'limit' is not in the spec",
      "header parameter 'xero-tenant-id' is required",
      'header parameter \'If-Modified-Since\': (root) must match format "date-time"',
    ]);
  });

  it('flags request bodies with misspelt or read-only fields and missing required ones', () => {
    const allocate = op('PUT', `/CreditNotes/${id}/Allocations`);
    const path = `/api.xro/2.0/CreditNotes/${id}/Allocations`;
    expect(
      accounting.checkRequest(allocate, {
        path,
        query: {},
        headers: tenant,
        body: { Allocations: [{ Amount: 10, Date: '2026-05-04', Invoice: { InvoiceID: id } }] },
      }),
    ).toEqual([]);
    const errors = accounting.checkRequest(allocate, {
      path,
      query: {},
      headers: tenant,
      body: { Allocations: [{ Amont: 10, Date: '2026-05-04', Invoice: { InvoiceID: id, AmountDue: 5 } }] },
    });
    expect(errors).toContain("body: /Allocations/0 must have required property 'Amount'");
    expect(errors).toContain("body: /Allocations/0 must NOT have additional properties 'Amont'");
    expect(errors).toContain("body: /Allocations/0/Invoice must NOT have additional properties 'AmountDue'");
  });

  it('flags response bodies with undeclared fields or wrong types, and allows Xero’s envelope', () => {
    const list = op('GET', '/Invoices');
    const invoice = {
      InvoiceID: id,
      Type: 'ACCREC',
      Status: 'AUTHORISED',
      Total: 10,
      AmountDue: 10,
      UpdatedDateUTC: '/Date(1777852800000+0000)/',
    };
    const envelope = {
      Id: '0d9c8b7a-6f5e-4d3c-b2a1-908f7e6d5c4b',
      Status: 'OK',
      ProviderName: 'x',
      DateTimeUTC: '/Date(1777852800000)/',
    };
    expect(
      accounting.checkResponse(list, 200, 'application/json; charset=utf-8', { ...envelope, Invoices: [invoice] }),
    ).toEqual([]);
    expect(
      accounting
        .checkResponse(list, 200, 'application/json', {
          ...envelope,
          Invoices: [{ ...invoice, Total: '10.00', AmountDeu: 1, Status: 'OPEN' }],
        })
        .sort(),
    ).toEqual([
      "response 200: /Invoices/0 must NOT have additional properties 'AmountDeu'",
      'response 200: /Invoices/0/Status must be equal to one of the allowed values ["DRAFT","SUBMITTED","DELETED","AUTHORISED","PAID","VOIDED"]',
      'response 200: /Invoices/0/Total must be number',
    ]);
  });

  it('holds /connections answers to xero-identity.yaml', () => {
    const get = identity.match('GET', '/connections');
    if (!get) throw new Error('no getConnections');
    const good = [
      {
        id,
        tenantId: id,
        authEventId: id,
        tenantType: 'ORGANISATION',
        tenantName: 'Tui',
        createdDateUtc: '2026-05-04T10:00:00.000Z',
        updatedDateUtc: '2026-05-04T10:00:00.000Z',
      },
    ];
    expect(identity.checkResponse(get, 200, 'application/json', good)).toEqual([]);
    expect(identity.checkResponse(get, 200, 'application/json', [{ ...good[0], tenantId: 'not-a-uuid' }])).toEqual([
      'response 200: /0/tenantId must match format "uuid"',
    ]);
  });
});
