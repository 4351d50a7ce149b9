// Pure pieces of the web app: URL redaction, safe redirects, countdowns, form parsing, settings.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/app/config.js';
import { safeNext } from '../../../../src/app/http/auth/guard.js';
import { timelineForOwner } from '../../../../src/app/http/cases/case-model.js';
import { closeInput, extendInput, objectionDecision, objectionInput } from '../../../../src/app/http/cases/forms.js';
import { countdown, formatters } from '../../../../src/app/http/format.js';
import { redactUrl } from '../../../../src/app/http/security/redact-url.js';
import { webSettings } from '../../../../src/app/http/settings.js';

describe('redactUrl', () => {
  it('hides approval tokens, magic-link tokens, OAuth codes and states, and keeps the rest', () => {
    expect(redactUrl('/approvals/eyJqdGkiOi.abc')).toBe('/approvals/[redacted]');
    expect(redactUrl('/respond/eyJjYXNlSWQi.sig')).toBe('/respond/[redacted]');
    expect(redactUrl('/approvals/eyJ.abc?x=1')).toBe('/approvals/[redacted]?x=1');
    expect(redactUrl('/sign-in/verify?token=abc&next=%2Fcases')).toBe(
      '/sign-in/verify?token=%5Bredacted%5D&next=%2Fcases',
    );
    expect(redactUrl('/oauth/xero/callback?code=c&state=s&scope=a+b')).toBe(
      '/oauth/xero/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&scope=a+b',
    );
    expect(redactUrl('/cases?status=active')).toBe('/cases?status=active');
  });
});

describe('safeNext', () => {
  it('allows only same-site paths', () => {
    expect(safeNext('/cases/1?notice=x')).toBe('/cases/1?notice=x');
    for (const bad of [
      '//evil.example',
      'https://evil.example',
      '/\\evil',
      'javascript:alert(1)',
      '/cases<script>',
      42,
      undefined,
    ])
      expect(safeNext(bad)).toBeUndefined();
  });
});

describe('countdown', () => {
  const now = Date.parse('2026-12-04T15:00:00Z');
  it('reads in minutes, hours or days, and marks what has passed', () => {
    expect(countdown(now + 20 * 60_000, now, 'en-US')).toEqual({ text: 'in 20 minutes', overdue: false });
    expect(countdown(now + 30 * 3_600_000, now, 'en-US')).toEqual({ text: 'in 30 hours', overdue: false });
    expect(countdown(now + 3 * 86_400_000, now, 'en-US')).toEqual({ text: 'in 3 days', overdue: false });
    expect(countdown(now - 86_400_000 * 2.2, now, 'en-US')).toEqual({ text: '2 days ago', overdue: true });
    expect(countdown(now + 86_400_000 * 3, now, 'de-DE').text).toBe('in 3 Tagen');
  });
});

describe('case page labels', () => {
  const f = formatters({ locale: 'en-US', timeZone: 'America/New_York', now: Date.parse('2026-12-07T06:37:00Z') });
  it("names Shortfall's own evidence deadline apart from the processor's due date shown above it", () => {
    // A chargeback due Mon 14 Dec read "Stripe evidence due Sat 12 Dec" in the deadlines table: two dates, one name.
    expect(f.deadline('stripe_submit')).toBe("Approve the evidence by (2 days before Stripe's deadline)");
  });
  it("words Shortfall's evidence date by how it stands to Stripe's: 2 days before it, or ahead of it when clamped", () => {
    const due = '2026-12-14T23:59:59.000Z';
    expect(f.evidenceDeadline('2026-12-12T23:59:59.000Z', due)).toBe(
      "Approve the evidence by (2 days before Stripe's deadline)",
    );
    // The chargeback arrived a day before Stripe's deadline: Shortfall's date is its arrival, not 2 days before.
    expect(f.evidenceDeadline('2026-12-13T23:00:00.000Z', due)).toBe(
      "Approve the evidence by (ahead of Stripe's deadline)",
    );
    expect(f.evidenceDeadline('2026-12-12T23:59:59.000Z', undefined)).toBe(
      "Approve the evidence by (ahead of Stripe's deadline)",
    );
  });
  it('names chargeback evidence and its audit entry in words, not by their stored names', () => {
    expect(f.draft('stripe_evidence')).toBe('Evidence for the chargeback');
    expect(f.audit('stripe_evidence_submitted')).toBe('evidence for the chargeback submitted to Stripe');
    expect(f.audit('draft_ready')).toBe('draft ready');
    expect(f.disputeReason('product_not_received')).toBe('product not received');
  });
  it("tells the timeline's evidence entries in words, those recorded with the charge's id included", () => {
    const at = '2026-12-07T08:41:00.000Z';
    const told = timelineForOwner(
      [
        { at, kind: 'opened', summary: 'Chargeback received' },
        { at, kind: 'draft', summary: 'Draft v1 (stripe evidence) ready for approval' },
        { at, kind: 'sent', summary: 'Evidence for the chargeback on ch_tub4D0sGqzDUXe1heEq7ecCc (v1) sent' },
        { at, kind: 'draft', summary: 'Draft v2 (first response) ready for approval' },
        { at, kind: 'sent', summary: 'First response (v2) sent' },
      ],
      [
        { version: 1, kind: 'stripe_evidence' },
        { version: 2, kind: 'first_response' },
      ],
    );
    expect(told.map((t) => t.summary)).toEqual([
      'Chargeback received',
      'Draft v1 of the evidence for the chargeback ready for approval',
      'Evidence for the chargeback (v1) submitted to Stripe',
      'Draft v2 (first response) ready for approval',
      'First response (v2) sent',
    ]);
  });
  it('names each kind of document as the letters do, not by its stored key', () => {
    expect(f.documentKind('sow')).toBe('Statement of work');
    expect(f.documentKind('signed_estimate')).toBe('Signed estimate');
    expect(f.documentKind('invoice')).toBe('Invoice');
  });
});

describe('case forms', () => {
  const lines = new Map([
    ['l1', 'Brand identity'],
    ['l2', 'Menu design'],
  ]);
  it('parses conceded amounts exactly in the case currency and names the line of a bad one', () => {
    expect(
      objectionDecision({ decision: 'concede', 'amount.l1': '', 'amount.l2': '150.10' }, 'ana', 'USD', lines),
    ).toEqual({
      ok: true,
      value: { kind: 'concede', by: 'ana', lines: [{ lineId: 'l2', amount: { minor: 15_010, currency: 'USD' } }] },
    });
    expect(objectionDecision({ decision: 'concede', 'amount.l2': '1500' }, 'ana', 'JPY', lines)).toMatchObject({
      value: { lines: [{ amount: { minor: 1500, currency: 'JPY' } }] },
    });
    expect(objectionDecision({ decision: 'concede', 'amount.l1': '1,000.00' }, 'ana', 'USD', lines)).toEqual({
      ok: false,
      message: expect.stringContaining('"1,000.00" for Brand identity is not an amount'),
    });
    expect(objectionDecision({ decision: 'concede', 'amount.l1': '10.005' }, 'ana', 'USD', lines).ok).toBe(false);
    expect(objectionDecision({ decision: 'uphold', 'amount.l1': 'junk' }, 'ana', 'USD', lines)).toEqual({
      ok: true,
      value: { kind: 'uphold', by: 'ana' },
    });
    // The form says which lines it offered (the workflow's); the workflow's validator answers for a line it does not know.
    expect(objectionDecision({ decision: 'concede', 'amount.l4': '10.00' }, 'ana', 'USD', lines)).toMatchObject({
      value: { lines: [{ lineId: 'l4', amount: { minor: 1000 } }] },
    });
    expect(objectionDecision({ decision: 'concede', 'amount.l4': 'ten' }, 'ana', 'USD', lines)).toEqual({
      ok: false,
      message: expect.stringContaining('"ten" for l4 is not an amount'),
    });
  });

  it('reads checkboxes as one or many lines, and whole days only', () => {
    expect(objectionInput({ kind: 'specific', summary: ' late ', lines: 'l2' }, 'ana')).toEqual({
      ok: true,
      value: { kind: 'specific', by: 'ana', summary: 'late', lineIds: ['l2'] },
    });
    expect(objectionInput({ kind: 'specific', summary: 'x', lines: ['l1', 'l2'] }, 'ana')).toMatchObject({
      value: { lineIds: ['l1', 'l2'] },
    });
    expect(objectionInput({ summary: 'x' }, 'ana').ok).toBe(false);
    expect(extendInput({ deadline: 'payment', days: '7' }, 'ana')).toEqual({
      ok: true,
      value: { deadline: 'payment', days: 7, by: 'ana' },
    });
    expect(extendInput({ deadline: 'payment', days: '2.5' }, 'ana').ok).toBe(false);
    expect(extendInput({ deadline: 'response_limit', days: '2' }, 'ana').ok).toBe(false);
    expect(closeInput({ kind: 'withdraw', confirm: 'yes' }, 'ana').ok).toBe(false);
  });
});

describe('webSettings', () => {
  it('labels providers simulated, live or unavailable and never offers the mailbox in production', () => {
    const dev = webSettings(loadConfig({}), 'x'.repeat(32));
    expect(dev.providers).toEqual({ quickbooks: 'simulated', xero: 'simulated', stripe: 'simulated' });
    expect(dev.mailbox).toBe(true);
    const live = webSettings(
      loadConfig({ QUICKBOOKS_CLIENT_ID: 'id', QUICKBOOKS_CLIENT_SECRET: 's', SMTP_URL: 'smtp://mail.example:587' }),
      'x'.repeat(32),
    );
    expect(live.providers).toEqual({ quickbooks: 'live', xero: 'unavailable', stripe: 'unavailable' });
    expect(live.mailbox).toBe(false);
  });
});
