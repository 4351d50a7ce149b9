// What each template in ./views expects. Every page also gets `user`, `csrf`, `f` (formatters) and `may(method, url)`
// (may the member's role use this route: a page offers no form the server would refuse) from render.ts.
import type { OwnerFigures } from '../../domain/account.js';
import type { OutboxRow } from '../../services/mail/outbox.js';
import type { CaseLine, DraftView } from '../../../workflows/dispute-case/definitions.js';
import type { CaseAccount } from '../../domain/account.js';
import type { Money } from '../../domain/money.js';
import type { CurrencyTotals, MonthFigures } from '../../domain/portfolio.js';
import type { EvidenceCheck } from '../../domain/evidence.js';
import type { OrganisationValues, SettingsValues } from './auth/organisation-form.js';
import type { TeamPage } from './organisation/team-routes.js';

import type { CaseModel } from './cases/case-model.js';
import type { CaseFilters, CaseListRow } from './cases/queries.js';
import type { ConnectionsModel, SyncProgressView } from './connections/view-model.js';
import type { AccountChoice } from '../../services/ports.js';
import type { ArrangementPage, InvoicesPage } from './arrangements/views.js';

interface Titled {
  readonly title: string;
}

export interface Link {
  readonly href: string;
  readonly text: string;
}

export interface DashboardTotals extends CurrencyTotals {
  readonly urls: {
    readonly outstanding: string;
    readonly inDispute: string;
    readonly recovered: string;
    readonly conceded: string;
  };
}

interface DueCase {
  readonly id: string;
  readonly customerName: string | null;
  readonly invoiceNumber: string | null;
  readonly nextDeadline: Date;
  /** What the deadline is when the list would not say: a chargeback's is Shortfall's date for approving its evidence. */
  readonly what?: string | undefined;
}

export interface Views {
  dashboard: Titled & {
    empty: boolean;
    totals: readonly DashboardTotals[];
    byStatus: readonly { status: string; count: number; url: string }[];
    overdue: readonly DueCase[];
    overdueCount: number;
    dueSoon: readonly DueCase[];
    dueSoonCount: number;
    charts: readonly {
      currency: string;
      svg: string;
      months: readonly (MonthFigures & { label: string; disputedUrl: string; recoveredUrl: string })[];
    }[];
  };
  message: Titled & {
    heading: string;
    message: string;
    links?: readonly Link[];
    /** One button that POSTs (confirming a link that must not act on a GET). */
    form?: { action: string; csrf: string; button: string };
  };
  'sign-in': Titled & { email: string; next?: string | undefined; error?: string };
  'sign-in-sent': Titled & { email: string };
  'sign-in-confirm': Titled & { email: string; token: string; next?: string | undefined };
  onboarding: Titled & {
    values: OrganisationValues;
    errors: Readonly<Record<string, string>>;
    timeZones: readonly string[];
  };
  connections: ConnectionsModel;
  'sync-progress': Titled & { rows: readonly SyncProgressView[]; refreshing: boolean; fragment: boolean };
  settings: Titled & {
    values: SettingsValues;
    errors: Readonly<Record<string, string>>;
    timeZones: readonly string[];
    editable: boolean;
    notice?: string | undefined;
    /** How far the saved Settings have reached the open cases (absent while none is open). */
    delivery?: string | undefined;
  };
  team: TeamPage;
  'choose-accounts': Titled & { choice: AccountChoice; selected: readonly string[]; error?: string | undefined };
  cases: Titled & {
    filters: CaseFilters;
    filtered: boolean;
    /** Each row with its figures as the owner reads them (`ownerFigures`: a chargeback's charge is paid and held). */
    rows: readonly (CaseListRow & { figures: OwnerFigures })[];
    statuses: readonly string[];
    providers: readonly string[];
    /** The dashboard's selection in words ("Showing cases still owed, in USD."). */
    selection?: string | undefined;
    /** Filters the form carries along without showing them (set by the dashboard's links). */
    hidden: Readonly<Record<string, string | undefined>>;
    exportUrl: string;
    prevUrl?: string | undefined;
    nextUrl?: string | undefined;
    notice?: string | undefined;
  };
  case: CaseModel;
  approval: Titled & {
    token: string;
    approvalCsrf: string;
    draft: DraftView;
    customerName: string;
    invoiceNumber?: string | undefined;
    caseId: string;
    checklist: readonly EvidenceCheck[];
    /** Chargeback evidence: submitted to the card processor, not sent to the client. */
    evidence: boolean;
    /** For chargeback evidence: Shortfall's date for the owner's approval and the processor's own deadline. */
    dates?: { approveBy?: string | undefined; processorDueBy?: string | undefined } | undefined;
    /** For chargeback evidence: what the cardholder's reason needs that the case lacks (proof of delivery). */
    reasonHint?: string | undefined;
    /** For chargeback evidence: the processor's dispute id, for the owner's records. */
    disputeId?: string | undefined;
    failure?: { message: string; values: Readonly<Record<string, string | string[]>> } | undefined;
  };
  respond: Titled & {
    token: string;
    respondCsrf: string;
    business: string;
    invoiceNumber?: string | undefined;
    customerName?: string | undefined;
    lines: readonly CaseLine[];
    account: CaseAccount;
    closed: boolean;
    /** How to pay what is still owed: the provider's payment page where there is one, else whom to contact. */
    pay?: { url?: string | undefined; contact: string; instructions?: string | undefined } | undefined;
    reasons: readonly { value: string; label: string }[];
    answered?:
      | { kind: 'objection' | 'accepts'; at: string; lines: string; reason?: string | undefined; stillOwed: Money }
      | undefined;
    failure?: { message: string; values: Readonly<Record<string, string | string[]>> } | undefined;
  };
  mailbox: Titled & {
    messages: readonly { id: string; to: string; subject: string; status: string; createdAt: Date }[];
  };
  'mailbox-message': Titled & { message: OutboxRow; links: readonly string[] };
  invoices: Titled & InvoicesPage;
  arrangement: Titled & ArrangementPage;
  tolerances: Titled & {
    rows: readonly { currency: string; amount: string; percent: string }[];
    errors: readonly string[];
    notice?: string | undefined;
    defaultPercent: number;
    defaults: readonly string[];
  };
  'payment-settings': Titled & {
    instructions: string;
    error?: string | undefined;
    notice?: string | undefined;
  };
}

export type ViewName = keyof Views;
