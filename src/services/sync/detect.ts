// Runs the domain's detection over every record flagged detection_pending: what this batch touched, plus
// anything a crash left unapplied. Decisions come from src/domain; this file only loads their inputs.
import { and, eq, inArray } from 'drizzle-orm';
import { caseKey } from '../../domain/case.js';
import {
  detectShortPayment,
  type DetectionPolicy,
  type DetectionResult,
  type InvoiceState,
} from '../../domain/detection.js';
import { detectChargeback, matchDisputedCharge } from '../../domain/dispute-detection.js';
import type { ChargeDispute } from '../../domain/model.js';
import type { Database } from '../db/index.js';
import { inList } from '../db/lists.js';
import { chargeDisputes, invoices } from '../db/schema.js';
import { caseAnsweringDispute, caseByKey, runningCasesByKey, toOpenCase } from '../cases/records.js';
import type { CaseAction, CaseTrigger, LedgerScope } from '../../domain/case-actions.js';
import { invoicesOnPlan } from '../ledger/arrangements.js';
import { connectionScope, ledgerInvoicesPaidLike, loadDispute, loadInvoiceStates } from '../ledger/read.js';

interface Decision {
  readonly trigger: CaseTrigger;
  readonly result: DetectionResult;
  /** The organisation's other ledger that holds the invoice a chargeback was matched to. */
  readonly ledgerConnectionId?: string;
}

function toAction(s: LedgerScope, d: Decision): CaseAction | undefined {
  const { result: r, trigger } = d;
  const base = {
    reason: r.reason,
    connectionId: s.connectionId,
    trigger,
    ...(d.ledgerConnectionId && { ledgerConnectionId: d.ledgerConnectionId }),
  };
  if (r.kind === 'none') return undefined;
  if (r.kind === 'resolve') return { kind: 'resolve', caseKey: r.caseKey, ...base };
  return { kind: r.kind, caseKey: r.caseKey, facts: r.facts, ...base };
}

async function decideInvoices(
  db: Database,
  s: LedgerScope,
  ids: readonly string[],
  policy: DetectionPolicy,
  today: string,
  loaded: Map<string, InvoiceState>,
): Promise<Decision[]> {
  const found = await loadInvoiceStates(db, s, ids);
  for (const [id, state] of found) loaded.set(id, state);
  const states = [...found.values()];
  const running = await runningCasesByKey(
    db,
    states.map((st) => caseKey({ invoice: st.invoice.ref })),
  );
  return states.map((st) => {
    const open = running.get(caseKey({ invoice: st.invoice.ref }));
    return {
      trigger: { invoiceId: st.invoice.ref.id },
      result: detectShortPayment(st, open && toOpenCase(open), today, policy),
    };
  });
}

/** `loaded`: the states of this connection's invoices detection already read in this transaction, by id. */
async function decideDispute(
  db: Database,
  s: LedgerScope,
  disputeId: string,
  policy: DetectionPolicy,
  loaded: Map<string, InvoiceState>,
): Promise<Decision | undefined> {
  const found = await loadDispute(db, s, disputeId);
  if (!found) return undefined;
  let dispute = found;
  const invoiceId = dispute.invoice?.id;
  const known = invoiceId === undefined ? undefined : loaded.get(invoiceId);
  let ledger: InvoiceState[] =
    invoiceId === undefined ? [] : known ? [known] : [...(await loadInvoiceStates(db, s, [invoiceId])).values()];
  let ledgerConnectionId: string | undefined;
  if (!dispute.invoice) {
    const linked = await ledgerInvoiceOf(db, s, dispute, policy);
    if (linked) ({ dispute, ledger, ledgerConnectionId } = linked);
  }
  // The case key depends on which invoice the dispute links to, so ask once to learn it, then with its case.
  const ctx = { ledger };
  const key = detectChargeback(dispute, ctx, policy).caseKey!;
  const open = (await runningCasesByKey(db, [key])).get(key);
  return {
    trigger: { disputeId },
    result: detectChargeback(dispute, { ...ctx, ...(open && { openCase: toOpenCase(open) }) }, policy),
    ...(ledgerConnectionId && { ledgerConnectionId }),
  };
}

/**
 * A charge the processor holds no invoice for may have paid one in the organisation's bookkeeping ledger (a payment link,
 * a card terminal): the chargeback then belongs to that invoice's case. Once a case answers the chargeback it stays
 * with it, even when the ledger no longer shows the payment (the bookkeeper booked the chargeback by voiding it);
 * and it joins only a case of the processor connection's own organisation, never a case another organisation runs on a
 * ledger both read. Returns the dispute as linked to the invoice, with that invoice's state and connection.
 */
async function ledgerInvoiceOf(
  db: Database,
  s: LedgerScope,
  dispute: ChargeDispute,
  policy: DetectionPolicy,
): Promise<{ dispute: ChargeDispute; ledger: InvoiceState[]; ledgerConnectionId: string } | undefined> {
  const own = await connectionScope(db, s.connectionId);
  if (!own) return undefined;
  const held = await caseAnsweringDispute(db, dispute.ref.id);
  if (
    held?.invoiceId &&
    held.connectionId &&
    held.connectionId !== s.connectionId &&
    held.organisationId === own.organisationId
  ) {
    const ledgerOf = await connectionScope(db, held.connectionId);
    const state = ledgerOf && (await loadInvoiceStates(db, ledgerOf.scope, [held.invoiceId])).get(held.invoiceId);
    if (state)
      return {
        dispute: { ...dispute, invoice: state.invoice.ref },
        ledger: [state],
        ledgerConnectionId: held.connectionId,
      };
  }
  if (held || !dispute.charge) return undefined;
  const candidates = await ledgerInvoicesPaidLike(db, s, dispute.charge, policy.matchWindowDays);
  const match = matchDisputedCharge(
    dispute.charge,
    candidates.flatMap((c) => c.states),
    policy,
  );
  if (match.kind !== 'matched') return undefined;
  const ref = match.invoice.invoice.ref;
  const where = candidates.find((c) => c.states.includes(match.invoice));
  const existing = await caseByKey(db, caseKey({ invoice: ref }));
  if (!where || (existing && existing.organisationId !== own.organisationId)) return undefined;
  return {
    dispute: { ...dispute, invoice: ref },
    ledger: [match.invoice],
    ledgerConnectionId: where.scope.connectionId,
  };
}

/** `today` (YYYY-MM-DD) dates what counts as old history: short payments last paid long before it open no case. */
export async function detectPending(
  db: Database,
  s: LedgerScope,
  policy: DetectionPolicy,
  today: string,
): Promise<CaseAction[]> {
  const pendingInvoices = await db
    .select({ id: invoices.externalId })
    .from(invoices)
    .where(and(eq(invoices.connectionId, s.connectionId), eq(invoices.detectionPending, true)));
  const pendingDisputes = await db
    .select({ id: chargeDisputes.externalId })
    .from(chargeDisputes)
    .where(and(eq(chargeDisputes.connectionId, s.connectionId), eq(chargeDisputes.detectionPending, true)));
  // An instalment is missed by time passing, not by a ledger change: invoices on a plan are looked at every pass.
  const ids = [...new Set([...pendingInvoices.map((r) => r.id), ...(await invoicesOnPlan(db, s))])];
  // A chargeback's invoice is often one this pass also changed (its payment): read once for both decisions.
  const loaded = new Map<string, InvoiceState>();
  const decisions = await decideInvoices(db, s, ids, policy, today, loaded);
  for (const { id } of pendingDisputes) {
    const d = await decideDispute(db, s, id, policy, loaded);
    if (d) decisions.push(d);
  }
  await clearPending(
    db,
    s.connectionId,
    decisions.filter((d) => d.result.kind === 'none').map((d) => d.trigger),
  );
  return decisions.flatMap((d) => toAction(s, d) ?? []);
}

export async function clearPending(
  db: Database,
  connectionId: string,
  triggers: readonly CaseTrigger[],
): Promise<void> {
  const invoiceIds = triggers.flatMap((t) => ('invoiceId' in t ? [t.invoiceId] : []));
  const disputeIds = triggers.flatMap((t) => ('disputeId' in t ? [t.disputeId] : []));
  if (invoiceIds.length > 0) {
    await db
      .update(invoices)
      .set({ detectionPending: false })
      .where(and(eq(invoices.connectionId, connectionId), inList(invoices.externalId, invoiceIds)));
  }
  if (disputeIds.length > 0) {
    await db
      .update(chargeDisputes)
      .set({ detectionPending: false })
      .where(and(eq(chargeDisputes.connectionId, connectionId), inArray(chargeDisputes.externalId, disputeIds)));
  }
}
