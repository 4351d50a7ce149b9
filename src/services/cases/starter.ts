// Turns case actions from sync into Temporal calls: start a case workflow (idempotently, keyed by the case),
// or signal the running one with the ledger facts it has not heard yet.
import { providerLabel } from '../../../integrations/registry.js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Database } from '../db/index.js';
import type { CaseFacts } from '../../domain/case.js';
import type { Logger } from '../logger.js';
import { getRow, toConnection } from '../connections/records.js';
import type { CaseView, DisputeCaseInput, LedgerEvent } from '../../../workflows/dispute-case/definitions.js';
import { closeCaseUpdate, ledgerEventSignal, chargebackSignal } from '../../../workflows/dispute-case/definitions.js';
import type { CaseAction, LedgerScope } from '../../domain/case-actions.js';
import { claimCase, markStarted } from './claim.js';
import { passOnNewerSettings } from './settings-signal.js';
import { caseInput, organisationProfile } from './input.js';
import { disputeCaseEvents, factsInInput, invoiceCaseEvents, chargebackFactKey } from './ledger-events.js';
import { loadCaseSources, type CaseSources } from './sources.js';
import {
  caseByKey,
  isClosed,
  isOwnerClosed,
  recordKind,
  runningCasesOfConnection,
  startingStatus,
  recordDispute,
  type CaseRow,
} from './records.js';
import { caseSearchAttributes } from './search-attributes.js';
import { sendOnce } from './send-once.js';

type DisputeCaseWorkflow = (input: DisputeCaseInput) => Promise<CaseView>;

export type CaseOutcome =
  | { readonly kind: 'started'; readonly caseId: string; readonly workflowId: string; readonly runId: string }
  | { readonly kind: 'signalled'; readonly caseId: string; readonly workflowId: string; readonly signals: number }
  | { readonly kind: 'skipped'; readonly reason: 'owner_closed' | 'not_running' };

export interface CaseStarterDeps {
  readonly db: Database;
  /** The process's one Temporal client. */
  readonly client: Client;
  readonly taskQueue: string;
  readonly now?: () => number;
  readonly logger?: Logger;
}

const running = (row: CaseRow | undefined): row is CaseRow =>
  row !== undefined && row.status !== startingStatus && !isClosed(row);

export function createCaseStarter(deps: CaseStarterDeps) {
  const { db, client } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger?.child({ module: 'cases.starter' });

  /** `scope` reads the trigger; `ledger` holds the invoice (another connection only for a cross-ledger chargeback). */
  async function start(
    action: CaseAction & { facts: CaseFacts },
    scope: LedgerScope,
    ledger: LedgerScope,
    organisationId: string,
  ): Promise<CaseOutcome> {
    const sources = await loadCaseSources(db, scope, action.trigger, action.facts, ledger);
    const row = await claimCase(
      db,
      {
        organisationId,
        connectionId: ledger.connectionId,
        caseKey: action.caseKey,
        facts: action.facts,
        customerName: sources.ledger?.invoice.customer.name,
      },
      new Date(now()),
    );
    if (!row) return signal(action, scope, ledger); // someone else's case now holds the key: bring it up to date
    // The key is global: another organisation reading the same ledger account may own the row (it claimed it
    // first, or owns the resolved case being reopened). The case stays ONE case, run by its owner with the owner's
    // connection, whichever connection noticed the short payment; the others see it shared (src/services/cases/records.ts).
    const owner = {
      organisationId: row.organisationId,
      scope: { ...ledger, connectionId: row.connectionId ?? ledger.connectionId },
    };
    if (owner.organisationId !== organisationId)
      log?.info(
        { caseId: row.id, connectionId: scope.connectionId },
        'short payment noticed on a shared ledger account: the owning organisation runs the case',
      );
    const input = caseInput({
      caseId: row.id,
      caseKey: action.caseKey,
      scope: owner.scope,
      organisation: await organisationProfile(db, owner.organisationId),
      facts: action.facts,
      ...sources,
      ...(ledger.connectionId !== scope.connectionId && { evidenceConnectionId: scope.connectionId }),
      learnedAt: new Date(now()).toISOString(),
    });
    const handle = await client.workflow.start<DisputeCaseWorkflow>('disputeCaseWorkflow', {
      workflowId: row.workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      // A retried start (or a second worker) joins the running case instead of failing or starting another.
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: caseSearchAttributes(input, action.facts),
    });
    // A retried start (or a reopened case) may have joined a workflow started with an earlier input: the row then
    // keeps what it records (never more than that workflow has), not this input's revision, and the signal below
    // gives the workflow the current one.
    const started = input.organisation.settingsRevision ?? 0;
    await markStarted(db, row.id, knownFacts(sources), new Date(now()), row.inserted ? started : undefined);
    await passOnNewerSettings(
      db,
      client.workflow,
      row,
      owner.organisationId,
      row.inserted ? started : row.settingsRevision,
      log,
    );
    log?.info({ caseId: row.id, workflowId: row.workflowId, reason: action.reason }, 'case started');
    return { kind: 'started', caseId: row.id, workflowId: row.workflowId, runId: handle.firstExecutionRunId };
  }

  async function signal(action: CaseAction, scope: LedgerScope, ledger = scope): Promise<CaseOutcome> {
    const row = await caseByKey(db, action.caseKey);
    if (!running(row)) return { kind: 'skipped', reason: 'not_running' };
    const handle = client.workflow.getHandle(row.workflowId);
    const sources = await loadCaseSources(
      db,
      scope,
      action.trigger,
      'facts' in action ? action.facts : undefined,
      ledger,
    );
    let signals = 0;
    try {
      if (sources.dispute && 'disputeId' in action.trigger) {
        // The case now answers this chargeback too: a break of the connection holding it pauses the case.
        await recordDispute(db, row.id, sources.dispute.ref.id);
        for (const e of disputeCaseEvents(
          sources.dispute,
          scope.connectionId,
          row.signalKeys,
          providerLabel(sources.dispute.ref.provider),
        )) {
          if (await sendOnce(db, row.id, e, () => handle.signal(chargebackSignal, e.event))) signals++;
        }
      } else if (sources.ledger) {
        for (const e of invoiceCaseEvents(sources.ledger, row.signalKeys)) {
          if (await sendOnce(db, row.id, e, () => handle.signal(ledgerEventSignal, e.event))) signals++;
        }
        // The domain resolves remainders within tolerance; the workflow only closes itself at a zero balance.
        const { balance, status } = sources.ledger.invoice;
        if (action.kind === 'resolve' && balance.minor > 0 && status !== 'void' && status !== 'deleted') {
          await closeWithinTolerance(
            row,
            action.reason === 'payment_plan' ? 'the client is back on the agreed payment plan' : undefined,
          );
        }
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'skipped', reason: 'not_running' };
      throw err;
    }
    if (action.kind === 'update') await recordKind(db, row.id, action.facts.kind);
    return { kind: 'signalled', caseId: row.id, workflowId: row.workflowId, signals };
  }

  async function closeWithinTolerance(row: CaseRow, note = 'the remaining balance is within tolerance'): Promise<void> {
    try {
      await client.workflow
        .getHandle(row.workflowId)
        .executeUpdate(closeCaseUpdate, { args: [{ kind: 'resolved', by: 'shortfall', note }] });
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err; // already closed: nothing to do
    }
  }

  async function scopeOf(connectionId: string) {
    const connection = toConnection(await getRow(db, connectionId));
    return {
      organisationId: connection.organisationId,
      scope: {
        connectionId: connection.id,
        provider: connection.provider,
        accountId: connection.accountId,
      } satisfies LedgerScope,
    };
  }

  async function openOrSignalCase(action: CaseAction): Promise<CaseOutcome> {
    const { organisationId, scope } = await scopeOf(action.connectionId);
    const ledger = action.ledgerConnectionId ? (await scopeOf(action.ledgerConnectionId)).scope : scope;
    if (action.kind !== 'open') return signal(action, scope, ledger);
    const existing = await caseByKey(db, action.caseKey);
    if (existing && isOwnerClosed(existing)) return { kind: 'skipped', reason: 'owner_closed' };
    if (running(existing)) return signal(action, scope, ledger);
    return start(action, scope, ledger, organisationId);
  }

  async function signalEveryCase(connectionId: string, event: LedgerEvent): Promise<number> {
    let signalled = 0;
    for (const row of await runningCasesOfConnection(db, connectionId)) {
      try {
        await client.workflow.getHandle(row.workflowId).signal(ledgerEventSignal, event);
        signalled++;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    return signalled;
  }

  return {
    openOrSignalCase,
    /** Pauses the payment clocks of every running case of the connection. */
    signalConnectionBroken: (connectionId: string, reason: string) =>
      signalEveryCase(connectionId, { kind: 'connection_broken', reason }),
    signalConnectionRestored: (connectionId: string) => signalEveryCase(connectionId, { kind: 'connection_restored' }),
  };
}

function knownFacts(s: CaseSources): string[] {
  return [...(s.ledger ? factsInInput(s.ledger) : []), ...(s.dispute ? [chargebackFactKey(s.dispute)] : [])];
}

export type CaseStarter = ReturnType<typeof createCaseStarter>;
