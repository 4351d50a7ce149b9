import type { CaseDocument } from '../../../../src/domain/case.js';
import type { LetterFacts, Organisation } from '../../../../src/services/letters/index.js';
import { money } from '../../../../src/domain/money.js';

export const usd = (minor: number) => money(minor, 'USD');

export const org: Organisation = {
  name: 'Harbour Joinery LLC',
  signature: 'Sam Lee\nOwner',
  zone: 'America/New_York',
  locale: 'en-US',
};

export const documents: CaseDocument[] = [
  { id: 'doc-1', kind: 'signed_estimate', name: 'Estimate 311 signed.pdf' },
  { id: 'doc-2', kind: 'rate_confirmation', name: 'Email confirming $95 hourly rate.eml' },
  { id: 'doc-3', kind: 'photo', name: 'Kitchen finished.jpg' },
];

// Invoice 1042 for $2,400.00: paid $1,500.00 on 2 June 2026, $900.00 outstanding.
export const facts: LetterFacts = {
  org,
  customer: { name: 'Acme Renovations', email: 'ap@acme.test', locale: 'en-US' },
  invoice: {
    number: '1042',
    total: usd(240_000),
    issueDate: '2026-05-01',
    lines: [
      { id: 'l1', description: 'Cabinet installation (16 h at $95)', amount: usd(152_000) },
      { id: 'l2', description: 'Materials', amount: usd(68_000) },
      { id: 'l3', description: 'Site clean-up', amount: usd(20_000) },
    ],
  },
  payments: [{ amount: usd(150_000), date: '2026-06-02', memo: 'Full & final pmt' }],
  balance: usd(90_000),
  documents,
};

export const payment = { amount: usd(150_000), date: '2026-06-02', memo: 'Full & final pmt' };
