// A worker in its own process, so a test can kill it with SIGKILL mid-activity. Configured by one JSON env var.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createCaseActivities } from '../../../activities/cases.js';
import { createQuickbooksConnector, createRealmLimiter } from '../../../integrations/quickbooks/index.js';
import { createApprovalStore } from '../../../src/services/approvals/store.js';
import { openDatabase } from '../../../src/services/db/index.js';
import { cases, organisations } from '../../../src/services/db/schema.js';
import { createDocumentStore } from '../../../src/services/documents/storage.js';
import { createOutbox } from '../../../src/services/mail/outbox.js';
import { createMailTransport } from '../../../src/services/mail/transport.js';
import { workflowsPath } from '../../../src/app/worker.js';

export interface CrashWorkerConfig {
  address: string;
  taskQueue: string;
  apiUrl: string;
  realmId: string;
  accessToken: string;
  caseId: string;
  caseKey: string;
}

export async function startCaseWorker(
  cfg: CrashWorkerConfig,
): Promise<{ worker: Worker; running: Promise<void>; stop(): Promise<void> }> {
  const h = await openDatabase({ kind: 'pglite' });
  // Each worker process has its own embedded database here, seeded with the case it will work on.
  const [org] = await h.db.insert(organisations).values({ name: 'Brightside Design' }).returning();
  await h.db.insert(cases).values({
    id: cfg.caseId,
    organisationId: org!.id,
    caseKey: cfg.caseKey,
    workflowId: `case/${cfg.caseKey}`,
    kind: 'both',
    status: 'open',
    currency: 'USD',
  });
  const docs = createDocumentStore(h.db);
  const activities = createCaseActivities({
    db: h.db,
    outbox: createOutbox(h.db, createMailTransport({ from: 'x@y.z' }), docs),
    approvals: createApprovalStore(h.db, 'c'.repeat(40)),
    documents: docs,
    publicUrl: 'http://localhost',
    replyDomain: 'replies.shortfall.test',
    evidence: async () => {
      throw new Error('not a chargeback');
    },
    ledger: async () =>
      createQuickbooksConnector({
        auth: { accountId: cfg.realmId, tokens: { accessToken: cfg.accessToken } },
        apiUrl: cfg.apiUrl,
        limiter: createRealmLimiter(),
      }),
  });
  const connection = await NativeConnection.connect({ address: cfg.address });
  const worker = await Worker.create({ connection, taskQueue: cfg.taskQueue, workflowsPath, activities });
  const running = worker.run();
  return {
    worker,
    running,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await h.close();
    },
  };
}

if (process.env.CRASH_WORKER_CONFIG) {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { running } = await startCaseWorker(JSON.parse(process.env.CRASH_WORKER_CONFIG) as CrashWorkerConfig);
  console.log('worker ready');
  await running;
}
