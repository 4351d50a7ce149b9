import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../../src/services/db/index.js';
import { connections, organisations, webhookInbox } from '../../../src/services/db/schema.js';
import { bothEngines } from '../../helpers/databases.js';

const expectedTables = [
  'approval_tokens',
  'audit_events',
  'cases',
  'charge_disputes',
  'client_responses',
  'connections',
  'credit_notes',
  'document_contents',
  'documents',
  'email_outbox',
  'invitations',
  'invoice_payment_links',
  'invoices',
  'oauth_states',
  'organisations',
  'payment_plans',
  'payments',
  'pending_grants',
  'provider_rate_leases',
  'provider_rate_limits',
  'sessions',
  'sign_in_tokens',
  'users',
  'webhook_inbox',
];

async function tables(h: DatabaseHandle): Promise<string[]> {
  const r = (await h.db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  )) as unknown as { rows: { table_name: string }[] };
  return r.rows.map((row) => row.table_name);
}

describe.each(bothEngines())('migrations on %s', (_name, open) => {
  it('creates every table and enforces the schema constraints', async () => {
    const h = await open();
    expect(await tables(h)).toEqual(expectedTables);
    const [org] = await h.db.insert(organisations).values({ name: 'Acme Studio' }).returning();
    const row = { organisationId: org!.id, provider: 'quickbooks', accountId: 'realm-1', name: 'Acme QBO' };
    await h.db.insert(connections).values(row);
    await expect(h.db.insert(connections).values(row)).rejects.toThrow();
  });

  it('deduplicates webhook events on (provider, event_id)', async () => {
    const h = await open();
    const event = {
      provider: 'stripe',
      eventId: 'evt_1',
      accountId: 'acct_1',
      entity: 'invoice',
      entityId: 'in_1',
      operation: 'updated',
      payload: { a: 1 },
    };
    const first = await h.db.insert(webhookInbox).values(event).onConflictDoNothing().returning();
    const second = await h.db.insert(webhookInbox).values(event).onConflictDoNothing().returning();
    expect([first.length, second.length]).toEqual([1, 0]);
  });
});

describe('PGlite on disk', () => {
  it('keeps rows across a close and reopen, and re-running migrations is a no-op', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-pglite-'));
    try {
      const first = await openDatabase({ kind: 'pglite', dir });
      await first.db.insert(organisations).values({ name: 'Persisted Ltd' });
      await first.close();
      const second = await openDatabase({ kind: 'pglite', dir });
      const rows = await second.db.select().from(organisations);
      await second.close();
      expect(rows.map((r) => r.name)).toEqual(['Persisted Ltd']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
