// Roles × routes: walks every route the app registered, so a new route cannot escape the check. For each route
// that needs a role, a member below it is refused (403, before any form, file or workflow Update is read), a member
// with it gets past the check, and a visitor without a session is sent to sign in. A route missing from the table
// stops the app from starting.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atLeast, installAccessControl, roles, type Role } from '../../../src/app/http/auth/access.js';
import type { InjectBrowser } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';
import { users } from '../../../src/services/db/schema.js';

let w: WebHarness;
const as = {} as Record<Role, InjectBrowser>;

beforeAll(async () => {
  w = await createWebHarness({ resetSandbox: async () => 0 });
  const { org } = await seedOrganisation(w.h, { email: 'owner@brightside.example' });
  await w.h.db.insert(users).values([
    { organisationId: org.id, email: 'books@brightside.example', role: 'bookkeeper' },
    { organisationId: org.id, email: 'viewer@brightside.example', role: 'viewer' },
  ]);
  const emails: Record<Role, string> = {
    owner: 'owner@brightside.example',
    bookkeeper: 'books@brightside.example',
    viewer: 'viewer@brightside.example',
  };
  for (const role of roles) {
    as[role] = w.browser();
    await signIn(w, as[role], emails[role]);
  }
});
afterAll(async () => {
  await w?.close();
});

const sample: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000001',
  connectionId: '00000000-0000-4000-8000-000000000002',
  documentId: '00000000-0000-4000-8000-000000000003',
  userId: '00000000-0000-4000-8000-000000000004',
  invoiceId: 'inv-1',
  provider: 'quickbooks',
  version: '1',
  token: 'not-a-token',
  jti: 'a'.repeat(22),
};
const concrete = (url: string) => url.replace(/:(\w+)/g, (_, name: string) => sample[name] ?? 'x');

async function call(b: InjectBrowser, method: string, url: string) {
  const headers = { accept: 'application/json' };
  const res = method === 'GET' ? await b.get(url, headers) : await b.post(url, {}, headers);
  const code = res.headers['content-type']?.includes('json')
    ? (res.json() as { error?: { code?: string } }).error?.code
    : undefined;
  return { status: res.statusCode, code, location: res.headers.location };
}

describe('roles on every route', () => {
  it('gives every registered route an access rule, and keeps the public ones to a known list', () => {
    const rules = w.app.accessRules.filter((r) => r.method !== 'HEAD');
    expect(rules.length).toBeGreaterThan(40);
    expect(
      rules
        .filter((r) => r.access === 'public')
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    ).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /assets/app.css',
        'GET /assets/upload.js',
        'GET /assets/sync-progress.js',
        'POST /inbound/email',
        'GET /sign-in',
        'POST /sign-in',
        'GET /sign-in/verify',
        'POST /sign-in/verify',
        'POST /sign-out',
        'GET /onboarding',
        'POST /onboarding',
        'GET /approvals/:token',
        'POST /approvals/:token',
        'GET /approvals/:token/attachments/:documentId',
        'GET /respond/:token',
        'POST /respond/:token',
        'GET /invitations/:token',
        'POST /invitations/:token',
        'GET /dev/mailbox',
        'GET /dev/mailbox/:id',
      ].sort(),
    );
  });

  it('refuses a role below the route’s, lets the others past the check, and sends visitors to sign in', async () => {
    const rules = w.app.accessRules.filter((r) => r.method !== 'HEAD' && r.access !== 'public');
    const seen: string[] = [];
    for (const rule of rules) {
      const url = concrete(rule.url);
      const needed = rule.access as Role;
      for (const role of roles) {
        const r = await call(as[role], rule.method, url);
        const where = `${role} ${rule.method} ${rule.url}`;
        if (atLeast(role, needed)) expect.soft(r.code, where).not.toBe('forbidden');
        else expect.soft([r.status, r.code], where).toEqual([403, 'forbidden']);
        seen.push(where);
      }
      const anonymous = await call(w.browser(), rule.method, url);
      if (rule.method === 'GET') expect.soft(anonymous.location, `anonymous ${rule.url}`).toMatch(/^\/sign-in/);
      else
        expect
          .soft([anonymous.status, anonymous.code], `anonymous ${rule.method} ${rule.url}`)
          .toEqual([401, 'unauthenticated']);
    }
    // The walk covered the routes the issue names: a viewer cannot approve a letter or decide.
    expect(seen).toContain('viewer POST /cases/:id/drafts/:version/decision');
    expect(seen).toContain('bookkeeper POST /settings/team/invitations');
  });

  it('will not start with a route that has no access rule', async () => {
    const app = Fastify();
    installAccessControl(app);
    expect(() => app.get('/a-new-page', async () => 'hello')).toThrow(/GET \/a-new-page has no access rule/);
    app.get('/a-new-page', { config: { access: 'viewer' } }, async () => 'hello'); // declared on the route: accepted
    await app.ready();
    expect(app.accessRules.filter((r) => r.url === '/a-new-page').map((r) => r.access)).toContain('viewer');
    await app.close();
  });
});
