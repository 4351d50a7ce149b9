// How amounts, times and statuses read on the pages: in the organisation's locale and time zone.
import { defaultPolicy, evidenceLeadWords } from '../../domain/deadlines.js';
import { formatMoney, type Money } from '../../domain/money.js';
import { dateTimeFormatter, dayFormatter } from '../../domain/time-format.js';
import { reasonInWords } from '../../services/letters/dispute-evidence.js';
import { documentKindLabels } from '../../services/letters/format.js';

const statusLabels: Readonly<Record<string, string>> = {
  starting: 'Starting',
  open: 'Open',
  awaiting_approval: 'Waiting for your approval',
  awaiting_client: 'Waiting for the client',
  awaiting_owner: 'Needs your decision',
  awaiting_payment: 'Waiting for payment',
  final_notice: 'Final notice sent',
  escalated: 'Ready for small claims',
  stripe_submitted: 'Evidence submitted to Stripe',
  resolved: 'Resolved',
  written_off: 'Written off',
  withdrawn: 'Withdrawn',
};

const ownerStatusLabels: Readonly<Record<string, (owner: string) => string>> = {
  awaiting_approval: (owner) => `Waiting for approval by ${owner}`,
  awaiting_owner: (owner) => `Needs a decision by ${owner}`,
};

const draftLabels: Readonly<Record<string, string>> = {
  receipt: 'Partial-payment receipt',
  first_response: 'First written response',
  ask_specifics: 'Request for specifics',
  uphold: 'Letter upholding the invoice',
  concession: 'Concession with credit note',
  final_notice: 'Final notice',
  stripe_evidence: 'Evidence for the chargeback',
};

const deadlineLabels: Readonly<Record<string, string>> = {
  response: 'Written response due',
  response_limit: 'Latest date for a written response',
  payment: 'Payment due',
  final_notice: 'Final notice expires',
  objection: 'Answer to the objection due',
  // Shortfall's own deadline, a margin before the processor's due date (which the chargeback banner shows).
  stripe_submit: `Approve the evidence by (${defaultPolicy.evidenceSafetyMarginHours / 24} days before Stripe's deadline)`,
};

// Audit kinds read as words (the rest by their name with spaces); stored kinds keep their recorded names.
const auditLabels: Readonly<Record<string, string>> = {
  stripe_evidence_submitted: 'evidence for the chargeback submitted to Stripe',
};

const providerLabels: Readonly<Record<string, string>> = {
  quickbooks: 'QuickBooks Online',
  xero: 'Xero',
  stripe: 'Stripe',
};

const label = (map: Readonly<Record<string, string>>, key: string) => map[key] ?? key.replace(/_/g, ' ');

export interface Countdown {
  readonly text: string;
  readonly overdue: boolean;
}

export function countdown(atMs: number, nowMs: number, locale: string): Countdown {
  const diff = atMs - nowMs;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs < 3_600_000
      ? [Math.round(diff / 60_000), 'minute']
      : abs < 172_800_000
        ? [Math.round(diff / 3_600_000), 'hour']
        : [Math.round(diff / 86_400_000), 'day'];
  return { text: rtf.format(value, unit), overdue: diff < 0 };
}

/** `owner`: the reader decides for the business ("Waiting for your approval"); others read "… by the owner". */
export function formatters(o: { locale: string; timeZone: string; now: number; owner?: boolean }) {
  const dateTime = dateTimeFormatter(o.locale, o.timeZone);
  return {
    money: (m: Money) => formatMoney(m, o.locale),
    dateTime,
    /** A calendar day (YYYY-MM-DD), written like the dates beside it. */
    date: dayFormatter(o.locale),
    countdown: (iso: string | Date) => countdown(new Date(iso).getTime(), o.now, o.locale),
    /** `owner` names the organisation that decides on a case shared with the viewer's: it waits for them, not "you". */
    status: (s: string, ownerName?: string) => {
      const owner = ownerName ?? (o.owner === false ? 'the owner' : undefined);
      return owner && ownerStatusLabels[s] ? ownerStatusLabels[s](owner) : label(statusLabels, s);
    },
    draft: (k: string) => label(draftLabels, k),
    deadline: (k: string) => label(deadlineLabels, k),
    /**
     * Shortfall's date for approving a chargeback's evidence, labelled by how it stands to the processor's deadline:
     * "2 days before" it, or "ahead of" it when the chargeback arrived too late to keep that margin.
     */
    evidenceDeadline: (approveBy: string | undefined, processorDueBy: string | undefined) =>
      `Approve the evidence by (${evidenceLeadWords(approveBy, processorDueBy)} Stripe's deadline)`,
    audit: (k: string) => label(auditLabels, k),
    documentKind: (k: string) => label(documentKindLabels, k),
    /** A chargeback's reason code in words (product_not_received: "product not received"). */
    disputeReason: (reason: string) => reasonInWords(reason),
    provider: (k: string) => label(providerLabels, k),
    bytes: (n: number) =>
      n < 1024 ? `${n} B` : n < 1_048_576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1_048_576).toFixed(1)} MB`,
  };
}

export type Formatters = ReturnType<typeof formatters>;
export const caseStatuses = Object.keys(statusLabels).filter((s) => s !== 'starting');
