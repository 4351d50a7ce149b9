// Headers, error pages, rate limits and log hygiene of the web app.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/services/logger.js';
import { issueApprovalToken } from '../../../src/services/security/approval-links.js';
import { csrfOf, textOf } from './browser.js';
import {
  createWebHarness,
  lastMailTo,
  magicLinkIn,
  SECRET,
  seedOrganisation,
  signIn,
  type WebHarness,
} from './harness.js';

let w: WebHarness;
const lines: string[] = [];
beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  w = await createWebHarness({
    logger: createLogger({ level: 'info', destination }),
    settings: { limits: { signIn: 3, approvals: 3, inbound: 3, notFound: 3 } },
  });
  await seedOrganisation(w.h, { email: 'ana@brightside.example' });
});
afterAll(async () => {
  await w?.close();
});

describe('security headers', () => {
  it('sends a strict CSP and framing, sniffing and referrer protections on pages', async () => {
    const res = await w.browser().get('/sign-in');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('uses no inline script or style anywhere, so the CSP needs no exceptions', async () => {
    const b = w.browser();
    await signIn(w, b, 'ana@brightside.example');
    for (const url of ['/sign-in', '/cases', '/connections', '/dev/mailbox', '/nope']) {
      const html = (await b.get(url)).body;
      expect(html, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, url).not.toMatch(/\sstyle=|<style/);
    }
    const css = await w.app.inject('/assets/app.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await w.app.inject('/assets/upload.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('omits HSTS and the https upgrade when the public URL is plain http', async () => {
    const plain = await createWebHarness({ settings: { publicUrl: 'http://localhost:3000' }, db: w.h });
    try {
      const res = await plain.browser().get('/sign-in');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    } finally {
      await plain.close();
    }
  });
});

describe('error pages', () => {
  it('gives browsers an HTML page and API clients the JSON envelope', async () => {
    const page = await w.app.inject({ url: '/no/such/page', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(textOf(page.body)).toContain('Page not found There is no page at this address.');
    const api = await w.app.inject({ url: '/no/such/page', headers: { accept: 'application/json' } });
    expect(api.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /no/such/page' } });
    expect((await w.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const unauth = await w.app.inject({
      method: 'POST',
      url: '/cases/00000000-0000-4000-8000-000000000000/close',
      headers: { accept: 'text/html' },
    });
    expect(unauth.statusCode).toBe(401);
    expect(textOf(unauth.body)).toContain('Your session has ended.');
  });
});

describe('rate limits on public endpoints', () => {
  const fourTimes = async (send: () => Promise<{ statusCode: number }>) => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await send()).statusCode);
    return codes;
  };

  it('limits the 404 handler, sign-in, approval links and inbound email per client', async () => {
    expect(await fourTimes(() => w.app.inject({ url: '/wp-admin', remoteAddress: '10.0.0.1' }))).toEqual([
      404, 404, 404, 429,
    ]);
    expect(await fourTimes(() => w.app.inject({ url: '/sign-in/verify?token=x', remoteAddress: '10.0.0.2' }))).toEqual([
      400, 400, 400, 429,
    ]);
    expect(await fourTimes(() => w.app.inject({ url: '/approvals/abc.def', remoteAddress: '10.0.0.3' }))).toEqual([
      400, 400, 400, 429,
    ]);
    expect(
      await fourTimes(() =>
        w.app.inject({
          method: 'POST',
          url: '/inbound/email',
          payload: 'x',
          headers: { 'content-type': 'message/rfc822' },
          remoteAddress: '10.0.0.4',
        }),
      ),
    ).toEqual([401, 401, 401, 429]);
    const limited = await w.app.inject({
      url: '/wp-admin',
      remoteAddress: '10.0.0.1',
      headers: { accept: 'text/html' },
    });
    // The window started with the first request; on a busy machine some seconds of it have passed.
    expect(textOf(limited.body)).toMatch(/Too many requests\. Try again in (1 minute|[1-5]?\d seconds)\./);
    expect((await w.app.inject({ url: '/wp-admin', remoteAddress: '10.0.0.9' })).statusCode).toBe(404);
  });

  it('does not let a forged X-Forwarded-For dodge the limits unless TRUST_PROXY is set', async () => {
    let n = 0;
    const codes = await fourTimes(() =>
      w.app.inject({ url: '/wp-admin', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': `203.0.113.${++n}` } }),
    );
    expect(codes).toEqual([404, 404, 404, 429]);
  });
});

describe('logs', () => {
  it('never carry sign-in tokens, approval tokens, OAuth codes or session cookies', async () => {
    const b = w.browser();
    const form = await b.get('/sign-in');
    await b.post(
      '/sign-in',
      { email: 'ana@brightside.example', _csrf: csrfOf(form.body) },
      { 'x-forwarded-for': '10.1.0.1' },
    );
    const link = magicLinkIn((await lastMailTo(w.h, 'ana@brightside.example')).text);
    const token = new URL(`https://x${link}`).searchParams.get('token')!;
    await b.get(link, { 'x-forwarded-for': '10.1.0.2' });
    const { token: approval } = issueApprovalToken(
      SECRET,
      { caseId: 'c', workflowId: 'w', version: 1 },
      { nowMs: Date.now(), ttlMs: 60_000 },
    );
    await b.get(`/approvals/${approval}`, { 'x-forwarded-for': '10.1.0.3' });
    await b.get('/oauth/quickbooks/callback?code=AB-secret-code&state=st-secret&realmId=1', {
      'x-forwarded-for': '10.1.0.4',
    });
    const log = lines.join('');
    expect(log).toContain('/sign-in/verify?token=%5Bredacted%5D');
    expect(log).toContain('/approvals/[redacted]');
    for (const secret of [
      token,
      approval,
      approval.split('.')[1]!,
      'AB-secret-code',
      'st-secret',
      ...b.cookies.values(),
    ])
      expect(log).not.toContain(secret);
  });
});
