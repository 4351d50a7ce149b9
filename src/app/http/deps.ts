// Everything the web app is built from. Route modules take the slices they use.
import type { WorkflowClient } from '@temporalio/client';
import type { ApprovalStore } from '../../services/approvals/store.js';
import type { SettingsDelivery } from '../../services/cases/settings-signal.js';
import type { Database } from '../../services/db/index.js';
import type { DocumentStore } from '../../services/documents/storage.js';
import type { PaymentLinks } from '../../services/ledger/payment-links.js';
import type { Outbox } from '../../services/mail/outbox.js';
import type { ConnectionsPort } from '../../services/ports.js';
import type { WebSettings } from './settings.js';

export interface WebDeps {
  readonly settings: WebSettings;
  readonly db: Database;
  /** The process's one Temporal client (its `workflow` part): case Queries and Updates. */
  readonly workflows: WorkflowClient;
  readonly outbox: Pick<Outbox, 'send'>;
  readonly documents: DocumentStore;
  readonly approvals: Pick<ApprovalStore, 'find' | 'consume'>;
  readonly connections: ConnectionsPort;
  /** On the embedded demo: disconnects every sandbox connection and seeds the simulators afresh. */
  readonly resetSandbox?: (() => Promise<number>) | undefined;
  /** The ledger's or Stripe's own page for paying an invoice, shown on the client's response page. */
  readonly paymentLinks?: Pick<PaymentLinks, 'forInvoice'> | undefined;
  /**
   * Passes saved Settings on to open cases in the background (src/app/main.ts shares it with the sweep); the web app
   * makes its own over `db` and `workflows` when absent.
   */
  readonly settingsDelivery?: SettingsDelivery | undefined;
  /** Milliseconds since the epoch; tests move it to expire links. */
  readonly now?: () => number;
}
