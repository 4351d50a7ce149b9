// The production topology, as separate OS processes started through the real entry points: `shortfall server` and
// two `shortfall worker`s with NODE_ENV=production on a real Postgres and a Temporal server, mail over real SMTP, and
// the provider simulators as their own process (`shortfall simulators`) reached through QUICKBOOKS_BASE_URL and the
// other base URLs, as a proxy would be. The owner signs in by emailed link, connects the QuickBooks company over
// OAuth, and the $600 "full and final" payment on a $1,000 invoice becomes a case; one worker is killed with SIGKILL
// while the case waits for the owner, who approves from the emailed link, and the other worker sends the one letter.
// The same company holds a dozen more short payments and answers slowly under strict limits (2 requests in flight,
// 600 a minute, each answer 1.5 s), so both workers read from it at once: the limits they share keep every request under them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ParsedMail } from 'mailparser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresUrl } from '../../helpers/databases.js';
import { eventually } from '../../helpers/eventually.js';
import { freePort } from '../../helpers/ports.js';
import { startSmtpServer } from '../../helpers/smtp.js';
import { createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { csrfOf } from '../web/browser.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const extraShortPayments = 12;
const client = 'accounts@harbor-cafe.example';
const busyClient = 'ap@lantern-books.example';
const owner = 'ana@brightside.example';

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  output: string;
  exited: Promise<number | null>;
}

const procs: Proc[] = [];
const dirs: string[] = [];
let temporal: TestWorkflowEnvironment;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

function start(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(root, 'bin/shortfall.js'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = {
    name,
    child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  const keep = (d: Buffer) => (p.output = (p.output + d.toString()).slice(-200_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  procs.push(p);
  return p;
}

async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM') {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await p.exited;
  clearTimeout(timer);
}

const waitFor = <T>(read: () => T | Promise<T>, ok: (t: T) => boolean, what: string, timeoutMs = 120_000) =>
  eventually(read, ok, what, { timeoutMs, intervalMs: 250 });

const alive = (p: Proc) => {
  if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}):\n${p.output.slice(-4000)}`);
  return p;
};

/** A cookie-keeping HTTP client over real fetch that follows no redirect by itself. */
class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const res = await fetch(new URL(url, this.base), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.form && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(init.form && { body: new URLSearchParams(init.form).toString() }),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() };
  }
}

const mailTo = (to: string) => smtp.messages.filter((m) => m.to && JSON.stringify(m.to).includes(to));
const linkIn = (m: ParsedMail, pathPart: string) => {
  const found = new RegExp(`https?://\\S+${pathPart}\\S+`).exec(m.text ?? '')?.[0];
  if (!found) throw new Error(`no ${pathPart} link in "${m.subject}"`);
  return found;
};

beforeAll(async () => {
  [temporal, smtp] = await Promise.all([createDevEnv(), startSmtpServer()]);
}, 180_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  await smtp?.close();
  await temporal?.teardown();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('production topology: one server, two workers, the simulators, all separate processes', () => {
  it('runs a case end to end through HTTP and email, survives a SIGKILLed worker, and draws no 429', async () => {
    try {
      await endToEnd();
    } catch (err) {
      // What each process said last, to tell a slow machine from a stuck case.
      const tails = procs.map(
        (p) => `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode})\n${p.output.slice(-3000)}`,
      );
      throw new Error(`${(err as Error).message}\n${tails.join('\n')}`, { cause: err });
    }
  }, 600_000);
});

async function endToEnd() {
  const [databaseUrl, port, qbPort, xeroPort, stripePort] = await Promise.all([
    freshPostgresUrl(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const dataDir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'shortfall-topology-'));
    dirs.push(d);
    return d;
  };
  const publicUrl = `http://127.0.0.1:${port}`;
  // Strict and slow: each answer takes 1.5 s and only 2 may be in flight, so two workers pacing alone (2 each)
  // would have 4 in flight and draw 429s.
  const strictLimits = { QUICKBOOKS_REQUESTS_PER_MINUTE: '600', QUICKBOOKS_CONCURRENT_REQUESTS: '2' };

  const simulators = start(
    'simulators',
    ['simulators', '--latency-ms=1500', `--short-payments=${extraShortPayments}`],
    {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: publicUrl,
      SHORTFALL_DATA_DIR: await dataDir(),
      SANDBOX_QUICKBOOKS_PORT: String(qbPort),
      SANDBOX_XERO_PORT: String(xeroPort),
      SANDBOX_STRIPE_PORT: String(stripePort),
      ...strictLimits,
    },
  );
  const settingsLine = await waitFor(
    () => /^\{"simulators":.*$/m.exec(alive(simulators).output)?.[0],
    Boolean,
    'the simulators to print their settings',
  );
  const providerEnv = (JSON.parse(settingsLine!) as { simulators: Record<string, string> }).simulators;
  expect(providerEnv.QUICKBOOKS_BASE_URL).toBe(`http://127.0.0.1:${qbPort}`);

  const production = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: uniqueId('topology'),
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    APP_SECRET: 's'.repeat(48),
    SMTP_URL: smtp.url,
    PUBLIC_URL: publicUrl,
    MAIL_REPLY_DOMAIN: 'replies.brightside.example',
    HOST: '127.0.0.1',
    PORT: String(port),
    ...strictLimits,
    ...providerEnv,
  };
  // Server and workers start at once on the fresh database (the migrations take turns under an advisory lock), each
  // with its own data directory: documents (the ledger's invoice PDF a letter carries) live in Postgres, so a worker
  // reads what another wrote without sharing a disk.
  const own = async () => ({ ...production, SHORTFALL_DATA_DIR: await dataDir() });
  const server = start('server', ['server'], await own());
  const workers = [start('worker A', ['worker'], await own()), start('worker B', ['worker'], await own())];
  await waitFor(
    async () => {
      alive(server);
      return fetch(`${publicUrl}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
    },
    (s) => s === 200,
    'the server to be ready',
  );
  await waitFor(
    () => workers.every((w) => alive(w).output.includes('worker polling')),
    Boolean,
    'both workers to poll',
    180_000,
  );
  // What the containers' health checks run.
  const healthy = await Promise.all([
    start('server health', ['healthcheck', 'server'], await own()).exited,
    start('worker health', ['healthcheck', 'worker'], await own()).exited,
  ]);
  expect(healthy).toEqual([0, 0]);

  // The owner signs in by emailed link and sets up the organisation.
  const b = new Browser(publicUrl);
  const signIn = await b.request('/sign-in');
  expect((await b.request('/sign-in', { form: { email: owner, _csrf: csrfOf(signIn.body) } })).status).toBeLessThan(
    400,
  );
  const signInMail = await waitFor(() => mailTo(owner)[0], Boolean, 'the sign-in email');
  const verify = linkIn(signInMail!, '/sign-in/verify');
  const confirm = await b.request(verify);
  const token = new URL(verify).searchParams.get('token')!;
  const verified = await b.request('/sign-in/verify', {
    form: { token, _csrf: csrfOf(confirm.body, '/sign-in/verify') },
  });
  expect(verified.status).toBe(303);
  const onboarding = await b.request('/onboarding');
  const onboarded = await b.request('/onboarding', {
    form: {
      name: 'Brightside Design',
      timeZone: 'America/New_York',
      signature: 'Ana Ruiz',
      holidays: '',
      _csrf: csrfOf(onboarding.body),
    },
  });
  expect(onboarded.location).toContain('/connections');

  // Connecting QuickBooks: our start URL → the simulator's consent (approved) → our callback.
  const started = await b.request('/oauth/quickbooks/start');
  expect(started.location.startsWith(providerEnv.QUICKBOOKS_BASE_URL!)).toBe(true);
  const consent = await fetch(`${started.location}&auto=1`, { redirect: 'manual' });
  const callback = consent.headers.get('location')!;
  expect(callback.startsWith(`${publicUrl}/oauth/quickbooks/callback`)).toBe(true);
  const connected = await b.request(callback);
  expect(connected.status).toBe(303);

  // The sync pulls the books; every short payment opens a case, each with a receipt and an approval request.
  const approvals = () => mailTo(owner).filter((m) => m.subject?.startsWith('Approve:'));
  await waitFor(
    () => approvals().length,
    (n) => n >= 1 + extraShortPayments,
    'an approval request for every case',
    240_000,
  );
  const receipt = mailTo(client).find((m) => /\$600\.00/.test(m.text ?? ''));
  expect(receipt?.text).toMatch(/partial payment/i);
  expect(mailTo(busyClient)).toHaveLength(extraShortPayments);
  const approval = approvals().find((m) => /1,000|\$400\.00|full and final/i.test(m.text ?? ''))!;
  expect(approval).toBeDefined();

  // Mid-case: the case waits for the owner. One worker dies without a chance to clean up.
  await stop(workers[0]!, 'SIGKILL');
  expect(workers[0]!.child.signalCode).toBe('SIGKILL');

  const approvalLink = linkIn(approval, '/approvals/');
  // The page reads the case from its workflow, which the dead worker held: until Temporal hands the workflow to
  // the survivor the page says to try again (503), as an owner would see by reloading.
  const shown = await waitFor(
    () => b.request(approvalLink),
    (r) => r.status !== 503,
    'the approval page once the surviving worker holds the case',
  );
  expect(shown.status).toBe(200);
  const action = new URL(approvalLink).pathname;
  const decided = await b.request(approvalLink, {
    form: { decision: 'approve', _csrf: csrfOf(shown.body, action) },
  });
  expect(decided.body).toMatch(/Approved/);

  // The surviving worker sends the written response, once.
  const response = await waitFor(
    () => mailTo(client).filter((m) => m !== receipt),
    (list) => list.length >= 1,
    'the written response to the client',
    180_000,
  );
  expect(response).toHaveLength(1);
  expect(response[0]!.text).toMatch(/not .*(settlement|full)/i);

  // The client's objection is registered on the case page and one line conceded; the concession letter, approved
  // from its emailed link, posts a credit note to QuickBooks, which the sync brings back. Exactly one of each.
  const caseId = /href="\/cases\/([\w-]+)"/.exec(decided.body)![1]!;
  const casePath = `/cases/${caseId}`;
  const submit = async (action: string, fields: Record<string, string>) => {
    const html = (await b.request(casePath)).body;
    const to = `${casePath}${action}`;
    const rid = new RegExp(`action="${to}"[\\s\\S]*?name="_rid" value="([^"]*)"`).exec(html)?.[1] ?? '';
    return b.request(to, { form: { _csrf: csrfOf(html, to), _rid: rid, ...fields } });
  };
  const menuLine = /name="lines" value="([^"]+)"[^>]*>\s*Menu design/.exec((await b.request(casePath)).body)![1]!;
  const objection = await waitFor(
    () => submit('/objection', { kind: 'specific', summary: 'Menu design took 6 hours, not 10', lines: menuLine }),
    (r) => r.status === 303,
    'the objection registered',
  );
  expect(objection.status).toBe(303);
  expect((await submit('/objection/decision', { decision: 'concede', [`amount.${menuLine}`]: '150.00' })).status).toBe(
    303,
  );
  const concession = await waitFor(
    () => approvals().find((m) => m !== approval && /concession|credit/i.test(`${m.subject} ${m.text}`)),
    Boolean,
    'the approval request for the concession letter',
  );
  const concessionLink = linkIn(concession!, '/approvals/');
  const concessionPage = await b.request(concessionLink);
  const approvedConcession = await b.request(concessionLink, {
    form: { decision: 'approve', _csrf: csrfOf(concessionPage.body, new URL(concessionLink).pathname) },
  });
  expect(approvedConcession.body).toMatch(/Approved/);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const creditNotes = await waitFor(
      async () => (await db.query<{ total_minor: string }>('select total_minor from credit_notes')).rows,
      (rows) => rows.length >= 1,
      'the credit note synced back from QuickBooks',
    );
    expect(creditNotes.map((r) => Number(r.total_minor))).toEqual([15_000]);
  } finally {
    await db.end();
  }
  const letters = await waitFor(
    () => mailTo(client).filter((m) => m !== receipt),
    (list) => list.length >= 2,
    'the concession letter to the client',
  );
  expect(letters).toHaveLength(2); // the written response and the concession letter, once each
  alive(workers[1]!);
  alive(server);

  // Both workers read the busy company together: under the shared limits, Intuit's throttle never refused one.
  await stop(simulators);
  const report = /^\{"quickbooksThrottle":.*$/m.exec(simulators.output)?.[0];
  const throttle = (JSON.parse(report!) as { quickbooksThrottle: Record<string, number> }).quickbooksThrottle;
  expect(throttle.throttled).toBe(0);
  expect(throttle.accepted).toBeGreaterThanOrEqual(1 + extraShortPayments);
  expect(throttle.maxInFlight).toBeLessThanOrEqual(2);
}
