// Builds a case workflow's input from what is stored: the organisation and its owner, the invoice snapshot,
// the payments applied to it, and for a chargeback the card dispute.
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { organisations, users } from '../db/schema.js';
import { providerLabel } from '../../../integrations/registry.js';
import type { CaseFacts } from '../../domain/case.js';
import type { ChargeDispute, Invoice } from '../../domain/model.js';
import type {
  DisputeCaseInput,
  InvoiceSnapshot,
  OrganisationProfile,
} from '../../../workflows/dispute-case/definitions.js';
import type { LedgerScope } from '../../domain/case-actions.js';
import { appliedTo, creditFacts, paymentFact, type InvoiceLedger } from './ledger-events.js';
import { overdueUnderPlan } from '../../domain/detection.js';

/** Letters and approval links go to the owner: the first one, when an organisation has several. */
export async function firstOwner(db: Database, organisationId: string): Promise<{ email: string } | undefined> {
  const [owner] = await db
    .select({ email: users.email })
    .from(users)
    .where(eq(users.organisationId, organisationId))
    .orderBy(sql`${users.role} = 'owner' desc`, asc(users.createdAt))
    .limit(1);
  return owner;
}

export async function organisationProfile(db: Database, organisationId: string): Promise<OrganisationProfile> {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, organisationId));
  if (!org) throw new Error(`No organisation ${organisationId}`);
  const owner = await firstOwner(db, organisationId);
  if (!owner) throw new Error(`Organisation ${organisationId} has no user to own its cases`);
  return {
    id: org.id,
    name: org.name,
    ownerEmail: owner.email,
    timeZone: org.timeZone,
    locale: org.locale,
    signature: org.signature,
    holidays: org.holidays,
    windows: { responseBusinessDays: org.responseBusinessDays, balanceDueDays: org.balanceDueDays },
    settingsRevision: org.settingsRevision,
  };
}

export function invoiceSnapshot(i: Invoice): InvoiceSnapshot {
  return {
    ref: i.ref,
    number: i.number,
    customerId: i.customer.ref.id,
    customerName: i.customer.name,
    ...(i.customer.email && { customerEmail: i.customer.email }),
    ...(i.customer.locale && { customerLocale: i.customer.locale }),
    issueDate: i.issueDate,
    ...(i.dueDate && { dueDate: i.dueDate }),
    total: i.total,
    balance: i.balance,
    lines: i.lines,
  };
}

export interface CaseInputSources {
  readonly caseId: string;
  readonly caseKey: string;
  readonly scope: LedgerScope;
  readonly organisation: OrganisationProfile;
  readonly facts: CaseFacts;
  readonly ledger?: InvoiceLedger;
  readonly dispute?: ChargeDispute;
  /** The connection holding the chargeback (dispute evidence), when the invoice lives in another ledger. */
  readonly evidenceConnectionId?: string;
  readonly learnedAt: string;
}

export function caseInput(s: CaseInputSources): DisputeCaseInput {
  const { ledger, dispute } = s;
  return {
    caseId: s.caseId,
    caseKey: s.caseKey,
    connectionId: s.scope.connectionId,
    provider: s.scope.provider,
    organisation: s.organisation,
    learnedAt: s.learnedAt,
    documents: [],
    payments: ledger ? appliedTo(ledger).map((p) => paymentFact(p, ledger.invoice)) : [],
    ...(ledger && { credits: creditFacts(ledger).map(({ key: _k, ...c }) => c) }),
    ...(ledger?.arrangement?.kind === 'plan' && {
      plan: {
        overdue: overdueUnderPlan(ledger.arrangement, ledger.invoice.balance, s.learnedAt.slice(0, 10)),
        instalments: ledger.arrangement.instalments,
      },
    }),
    ...(ledger && { invoice: invoiceSnapshot(ledger.invoice) }),
    ...(s.facts.fullAndFinal && { fullAndFinal: s.facts.fullAndFinal }),
    ...(s.evidenceConnectionId && { evidenceConnectionId: s.evidenceConnectionId }),
    ...(dispute && {
      chargeback: {
        dispute: dispute.ref,
        chargeId: dispute.chargeId,
        ...(dispute.dueBy && { dueBy: dispute.dueBy }),
        processorName: providerLabel(dispute.ref.provider),
        amount: dispute.amount,
        reason: dispute.reason,
        status: dispute.status,
      },
    }),
  };
}
