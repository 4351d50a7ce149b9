// One schema for PGlite (embedded) and Postgres (production). Money is integer minor units + currency.
import { sql } from 'drizzle-orm';
import type { CaseStanding } from '../../domain/account.js';
import {
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { SyncProgress } from '../../domain/sync-progress.js';

const id = () =>
  uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`);
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const minor = (name: string) => bigint(name, { mode: 'number' });
/** Bytes: node-postgres returns a Buffer, PGlite a Uint8Array; both come back as a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
});

export const organisations = pgTable('organisations', {
  id: id(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('UTC'),
  locale: text('locale').notNull().default('en-US'),
  signature: text('signature').notNull().default(''),
  holidays: jsonb('holidays').$type<string[]>().notNull().default([]),
  /** Per currency: remainders up to the larger of the amount and the percentage open no case (README, Tolerances). */
  tolerances: jsonb('tolerances')
    .$type<Record<string, { absoluteMinor: number; percent: number }>>()
    .notNull()
    .default({}),
  /** How clients pay the business (bank details, a payment address), shown where the ledger offers no payment page. */
  paymentInstructions: text('payment_instructions').notNull().default(''),
  /** Default windows for new cases: business days to answer in writing, calendar days for the balance. */
  responseBusinessDays: integer('response_business_days').notNull().default(3),
  balanceDueDays: integer('balance_due_days').notNull().default(14),
  /** Bumped on every save of Settings: open cases take a signalled profile only if it is newer than theirs. */
  settingsRevision: integer('settings_revision').notNull().default(0),
  /**
   * Set when passing saved Settings on to the open cases stopped with some case unreached (Temporal down or
   * refusing); cleared by a save and by a delivery that reaches every case. The Settings page tells the owner.
   */
  settingsUndeliveredAt: timestamp('settings_undelivered_at', { withTimezone: true }),
  /**
   * When a delivery of saved Settings to the open cases last showed it is running (set by the save, at its start and
   * after each batch; cleared when it ends, however it ends). The Settings page says "Reaching…" only while recent.
   */
  settingsDeliveringAt: timestamp('settings_delivering_at', { withTimezone: true }),
  /**
   * No longer read (each case records its own revision: cases.settings_revision). Kept so that a process of the
   * previous release, still running during a rolling upgrade, can read organisations, and still written after a
   * delivery that reached every case so that its sweep does not signal them all again; drop it in a later release.
   */
  settingsDeliveredRevision: integer('settings_delivered_revision').notNull().default(0),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: id(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    email: text('email').notNull(),
    /** owner | bookkeeper | viewer (src/app/http/auth/access.ts says what each may do). */
    role: text('role').notNull().default('viewer'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

/**
 * Teammates invited by email. The emailed link is signed (src/services/security/invite-links.ts) and names this
 * row's jti; accepting it sets used_at once, so a link works a single time, until it expires.
 */
export const invitations = pgTable(
  'invitations',
  {
    jti: text('jti').primaryKey(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    email: text('email').notNull(),
    role: text('role').notNull(),
    invitedBy: text('invited_by').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('invitations_organisation_idx').on(t.organisationId, t.createdAt)],
);

export const connections = pgTable(
  'connections',
  {
    id: id(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    provider: text('provider').notNull(),
    accountId: text('account_id').notNull(),
    name: text('name').notNull(),
    status: text('status').notNull().default('active'), // active | needs_reconnect | disconnected
    sandbox: boolean('sandbox').notNull().default(false),
    /**
     * 'oauth' for a grant to our app, 'api_key' for a key the owner pasted (a restricted API key). A provider
     * withdrawing our app's access (a deauthorization webhook) ends grants, never pasted keys.
     */
    credential: text('credential').notNull().default('oauth'),
    /** AES-256-GCM sealed TokenSet; the key id is stored so keys can rotate. */
    tokenCiphertext: text('token_ciphertext'),
    tokenKeyId: text('token_key_id'),
    tokenExpiresAt: timestamp('token_expires_at', { withTimezone: true }),
    refreshExpiresAt: timestamp('refresh_expires_at', { withTimezone: true }),
    hardExpiresAt: timestamp('hard_expires_at', { withTimezone: true }),
    /**
     * The OAuth grant the tokens came from. Connections made from one grant (several organisations of one ledger) share it:
     * they hold the same tokens, and a refresh rotates them for all of them at once, under one lock.
     */
    grantId: uuid('grant_id'),
    /** When the tokens held were granted: a revocation the provider reports from before then is not about them. */
    authorizedAt: timestamp('authorized_at', { withTimezone: true }).notNull().defaultNow(),
    syncCursor: text('sync_cursor'),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
    lastError: text('last_error'),
    /**
     * The sync pass under way or last finished, as its pages are stored: pages and records read, what the provider
     * says is left (when it says), and when it started and finished (absent while it runs).
     */
    syncProgress: jsonb('sync_progress').$type<SyncProgress>(),
    /** The last daily reconciliation sweep: when it finished, how many records it re-read and how many it repaired. */
    lastReconciledAt: timestamp('last_reconciled_at', { withTimezone: true }),
    lastReconciledScanned: integer('last_reconciled_scanned'),
    lastReconciledRepaired: integer('last_reconciled_repaired'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('connections_account_key').on(t.organisationId, t.provider, t.accountId),
    index('connections_grant_idx').on(t.grantId),
  ],
);

/**
 * A grant waiting for the owner to pick which of its organisations to connect (a ledger's grant can reach several).
 * The grant (tokens and accounts) is sealed like connection tokens, bound to the row; single use, 10 minutes.
 */
export const pendingGrants = pgTable('pending_grants', {
  id: id(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  provider: text('provider').notNull(),
  sealed: text('sealed').notNull(),
  keyId: text('key_id').notNull(),
  sandbox: boolean('sandbox').notNull().default(false),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export const oauthStates = pgTable('oauth_states', {
  state: text('state').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  provider: text('provider').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export const invoices = pgTable(
  'invoices',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id),
    externalId: text('external_id').notNull(),
    number: text('number').notNull(),
    customerId: text('customer_id').notNull(),
    customerName: text('customer_name').notNull(),
    customerEmail: text('customer_email'),
    customerLocale: text('customer_locale'),
    currency: text('currency').notNull(),
    totalMinor: minor('total_minor').notNull(),
    balanceMinor: minor('balance_minor').notNull(),
    issueDate: date('issue_date').notNull(),
    dueDate: date('due_date'),
    status: text('status').notNull(),
    lines: jsonb('lines').notNull(),
    isDeposit: boolean('is_deposit').notNull().default(false),
    onPaymentPlan: boolean('on_payment_plan').notNull().default(false),
    providerUpdatedAt: timestamp('provider_updated_at', { withTimezone: true }).notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set with the upsert, cleared once the case starter has acted on detection: a crash in between is retried. */
    detectionPending: boolean('detection_pending').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.externalId] }),
    index('invoices_open_idx').on(t.connectionId, t.status),
    index('invoices_detection_pending_idx')
      .on(t.connectionId)
      .where(sql`detection_pending`),
  ],
);

/**
 * The client's payment page the provider last gave for an invoice (README, "The client's response page"): read when
 * the response page is viewed or a letter is drafted, and kept so neither asks the provider every time. `url` null:
 * the provider offers none for this invoice. Kept apart from `invoices`, which each sync pass rewrites whole.
 */
export const invoicePaymentLinks = pgTable(
  'invoice_payment_links',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id),
    invoiceId: text('invoice_id').notNull(),
    url: text('url'),
    readAt: timestamp('read_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.invoiceId] })],
);

export const payments = pgTable(
  'payments',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id),
    externalId: text('external_id').notNull(),
    customerId: text('customer_id'),
    currency: text('currency').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    paidOn: date('paid_on').notNull(),
    method: text('method'),
    memo: text('memo'),
    reference: text('reference'),
    /** [{ invoiceId, minor, currency }]: GIN-indexed so an invoice's payments are one containment query. */
    applications: jsonb('applications').notNull(),
    status: text('status').notNull(),
    providerUpdatedAt: timestamp('provider_updated_at', { withTimezone: true }).notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.externalId] }),
    index('payments_applications_idx').using('gin', t.applications),
  ],
);

export const creditNotes = pgTable(
  'credit_notes',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id),
    externalId: text('external_id').notNull(),
    number: text('number'),
    customerId: text('customer_id'),
    currency: text('currency').notNull(),
    totalMinor: minor('total_minor').notNull(),
    lines: jsonb('lines').notNull(),
    allocations: jsonb('allocations').notNull(),
    status: text('status').notNull(),
    providerUpdatedAt: timestamp('provider_updated_at', { withTimezone: true }).notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.externalId] })],
);

export const chargeDisputes = pgTable(
  'charge_disputes',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id),
    externalId: text('external_id').notNull(),
    chargeId: text('charge_id').notNull(),
    paymentIntentId: text('payment_intent_id'),
    invoiceId: text('invoice_id'),
    currency: text('currency').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull(),
    dueBy: timestamp('due_by', { withTimezone: true }),
    providerCreatedAt: timestamp('provider_created_at', { withTimezone: true }),
    /**
     * The disputed charge (its amount is in `currency`): what links a chargeback to a bookkeeping ledger's invoice
     * paid by card through the processor, which holds no invoice for it.
     */
    chargeAmountMinor: minor('charge_amount_minor'),
    chargedOn: date('charged_on'),
    chargeEmail: text('charge_email'),
    chargeName: text('charge_name'),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
    detectionPending: boolean('detection_pending').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.externalId] })],
);

/**
 * What the owner agreed for one invoice: an instalment plan or a deposit (README, "Arrangements"). Keyed by the
 * ledger's invoice (provider, account, id), not the synced row, so re-syncs never lose it, and organisations that
 * share a ledger account share it as they share the case. Plans: instalments add up to `owed_minor`, the balance
 * still owed when the plan was agreed; detection compares what came off the balance since against what is due.
 */
export const paymentPlans = pgTable(
  'payment_plans',
  {
    id: id(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id),
    provider: text('provider').notNull(),
    accountId: text('account_id').notNull(),
    invoiceExternalId: text('invoice_external_id').notNull(),
    kind: text('kind').notNull(), // plan | deposit
    currency: text('currency').notNull(),
    owedMinor: minor('owed_minor').notNull(),
    /** [{ dueOn: YYYY-MM-DD, amountMinor }], by date; empty for a deposit. */
    instalments: jsonb('instalments').$type<{ dueOn: string; amountMinor: number }[]>().notNull().default([]),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('payment_plans_invoice_key').on(t.provider, t.accountId, t.invoiceExternalId),
    index('payment_plans_organisation_idx').on(t.organisationId),
  ],
);

export const webhookInbox = pgTable(
  'webhook_inbox',
  {
    id: id(),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    accountId: text('account_id').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    operation: text('operation').notNull(),
    occurredAt: text('occurred_at'),
    payload: jsonb('payload').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [
    uniqueIndex('webhook_inbox_event_key').on(t.provider, t.eventId),
    index('webhook_inbox_pending_idx').on(t.processedAt),
  ],
);

export const cases = pgTable(
  'cases',
  {
    id: id(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    caseKey: text('case_key').notNull(),
    workflowId: text('workflow_id').notNull(),
    connectionId: uuid('connection_id').references(() => connections.id),
    invoiceId: text('invoice_id'),
    disputeId: text('dispute_id'),
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    customerName: text('customer_name'),
    currency: text('currency').notNull(),
    paidMinor: minor('paid_minor').notNull().default(0),
    disputedMinor: minor('disputed_minor').notNull().default(0),
    nextDeadline: timestamp('next_deadline', { withTimezone: true }),
    /** Where the case stands against what it opened for (the workflow's caseStanding); null until it projects one. */
    standing: jsonb('standing').$type<CaseStanding>(),
    /**
     * The workflow time of the case-list row written last (status, paid, disputed, next deadline, standing): a row
     * computed earlier never overwrites it (an activity attempt that timed out and finished after its retry).
     */
    projectedAt: timestamp('projected_at', { withTimezone: true }),
    /** Keys of the ledger facts already signalled to the workflow (payment/<id>, …), so a retried sync never repeats one. */
    signalKeys: jsonb('signal_keys').$type<string[]>().notNull().default([]),
    /**
     * The organisation's Settings revision this case's workflow has: the one it started with, or the newest one
     * Temporal accepted a signal of. Behind organisations.settings_revision while the case is owed a save.
     */
    settingsRevision: integer('settings_revision').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('cases_key').on(t.caseKey),
    index('cases_status_idx').on(t.organisationId, t.status),
    index('cases_connection_idx').on(t.connectionId),
    // The open cases still owed a save of Settings, per organisation (the delivery and its sweep read only these).
    index('cases_open_settings_idx')
      .on(t.organisationId, t.settingsRevision)
      .where(sql`status not in ('resolved', 'written_off', 'withdrawn')`),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    /** Makes a retried activity write the event once. */
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind').notNull(),
    actor: text('actor').notNull(),
    data: jsonb('data').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('audit_events_idem_key').on(t.idempotencyKey), index('audit_events_case_idx').on(t.caseId, t.at)],
);

export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: id(),
    idempotencyKey: text('idempotency_key').notNull(),
    caseId: uuid('case_id').references(() => cases.id),
    toAddress: text('to_address').notNull(),
    replyTo: text('reply_to'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    attachments: jsonb('attachments').notNull().default([]),
    status: text('status').notNull().default('pending'), // pending | sent | failed
    messageId: text('message_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** A notice no workflow retries (a connection that broke): the outbox itself tries again until then. */
    redeliverUntil: timestamp('redeliver_until', { withTimezone: true }),
    /** Such a notice is not tried again before then: the lease of the attempt in flight, then the backoff. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('email_outbox_idem_key').on(t.idempotencyKey),
    index('email_outbox_redeliver_idx')
      .on(t.nextAttemptAt)
      .where(sql`status <> 'sent' and redeliver_until is not null`),
  ],
);

export const approvalTokens = pgTable('approval_tokens', {
  jti: text('jti').primaryKey(),
  caseId: uuid('case_id')
    .notNull()
    .references(() => cases.id),
  draftVersion: integer('draft_version').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
});

/**
 * What a client answered through the response link of one letter (`letter` is the letter's outbox key): one answer
 * per letter, so a second submission, a double click or a replayed request changes nothing.
 */
export const clientResponses = pgTable(
  'client_responses',
  {
    id: id(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    letter: text('letter').notNull(),
    /** 'objection' (lines, reason, expected and received) or 'accepts' (the client accepts the balance). */
    kind: text('kind').notNull(),
    lineIds: jsonb('line_ids')
      .notNull()
      .default(sql`'[]'::jsonb`),
    reason: text('reason'),
    expected: text('expected'),
    received: text('received'),
    acceptsMinor: minor('accepts_minor'),
    currency: text('currency').notNull(),
    message: text('message'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('client_responses_case_letter_idx').on(t.caseId, t.letter)],
);

export const documents = pgTable(
  'documents',
  {
    id: id(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    /** Where an install from before document_contents kept the bytes on disk (under <data dir>/documents); null since. */
    storageKey: text('storage_key'),
    createdAt: createdAt(),
  },
  (t) => [index('documents_case_idx').on(t.caseId)],
);

/** A document's bytes, in the database so every process (server, workers) reads the same files and backups hold them. */
export const documentContents = pgTable('document_contents', {
  documentId: uuid('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  content: bytea('content').notNull(),
});

/** Magic sign-in links: only the SHA-256 of the emailed token is stored; each link works once, for 15 minutes. */
export const signInTokens = pgTable(
  'sign_in_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('sign_in_tokens_email_idx').on(t.email, t.createdAt)],
);

/** Browser sessions, keyed by the SHA-256 of the cookie's token. No user yet means onboarding is not finished. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    userId: uuid('user_id').references(() => users.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * One budget per provider account (the company, tenant or account a connection reaches), shared by every process on this
 * database: when the next request is due (`next_at`, the pacer's theoretical arrival time under the per-minute or
 * per-second limit; src/services/limits/shared-limiter.ts) and the
 * requests counted in the current day.
 */
export const providerRateLimits = pgTable(
  'provider_rate_limits',
  {
    provider: text('provider').notNull(),
    accountId: text('account_id').notNull(),
    nextAt: timestamp('next_at', { withTimezone: true }).notNull().defaultNow(),
    dayStartedAt: timestamp('day_started_at', { withTimezone: true }).notNull().defaultNow(),
    dayCount: integer('day_count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.provider, t.accountId] })],
);

/**
 * Requests in flight per provider account, across processes. A lease is renewed while its request runs, so one
 * left by a process that died (SIGKILL) expires on its own and frees its slot.
 */
export const providerRateLeases = pgTable(
  'provider_rate_leases',
  {
    id: id(),
    provider: text('provider').notNull(),
    accountId: text('account_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('provider_rate_leases_account_idx').on(t.provider, t.accountId, t.expiresAt)],
);

export const schema = {
  organisations,
  users,
  invitations,
  connections,
  oauthStates,
  invoices,
  payments,
  creditNotes,
  chargeDisputes,
  paymentPlans,
  webhookInbox,
  cases,
  auditEvents,
  emailOutbox,
  approvalTokens,
  clientResponses,
  documents,
  documentContents,
  providerRateLimits,
  providerRateLeases,
  signInTokens,
  sessions,
};
