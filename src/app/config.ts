// The only reader of process.env (STYLE.md B2 #12). loadConfig is pure: it validates and groups,
// and a bad environment stops the process at start with every problem listed at once.
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);
const optional = z.string().min(1).optional();

const EnvShape = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: bool.default(false),
  SHORTFALL_DATA_DIR: z.string().min(1).default('./.shortfall'),
  DATABASE_URL: z.url().optional(),
  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('shortfall'),
  TEMPORAL_API_KEY: optional,
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_TLS_CERT_PATH: optional,
  TEMPORAL_TLS_KEY_PATH: optional,
  TEMPORAL_TLS_CA_PATH: optional,
  TEMPORAL_TLS_SERVER_NAME: optional,
  TEMPORAL_CLI_PATH: optional,
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_DEV_UI_PORT: port.default(8233),
  SANDBOX_QUICKBOOKS_PORT: port.optional(),
  SANDBOX_XERO_PORT: port.optional(),
  SANDBOX_STRIPE_PORT: port.optional(),
  TEMPORAL_UI_URL: z.url().optional(),
  ENCRYPTION_KEYS: z
    .string()
    .regex(
      /^[\w-]+:[A-Za-z0-9+/=]+(,[\w-]+:[A-Za-z0-9+/=]+)*$/,
      'expected "keyId:base64Key[,keyId:base64Key…]", newest first',
    )
    .optional(),
  APP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().min(3).default('Shortfall <shortfall@localhost>'),
  MAIL_REPLY_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i, 'expected a mail domain such as replies.example.com')
    .optional(),
  DETECTION_STALE_AFTER_DAYS: z.coerce.number().int().min(1).default(90),
  STORAGE_QUOTA_MB: z.coerce.number().int().min(1).default(1024),
  SIMULATORS: z.enum(['auto', 'on', 'off']).default('auto'),
  QUICKBOOKS_CLIENT_ID: optional,
  QUICKBOOKS_CLIENT_SECRET: optional,
  QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: optional,
  QUICKBOOKS_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  QUICKBOOKS_MONTHLY_READ_CAP: z.coerce.number().int().min(1).optional(),
  QUICKBOOKS_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(500),
  QUICKBOOKS_CONCURRENT_REQUESTS: z.coerce.number().int().min(1).default(10),
  QUICKBOOKS_BASE_URL: z.url().optional(),
  XERO_BASE_URL: z.url().optional(),
  STRIPE_BASE_URL: z.url().optional(),
  XERO_CLIENT_ID: optional,
  XERO_CLIENT_SECRET: optional,
  XERO_WEBHOOK_KEY: optional,
  XERO_SCOPES: optional,
  XERO_SCOPE_SET: z.enum(['granular', 'broad']).default('granular'),
  XERO_TIER: z.enum(['starter', 'core', 'plus', 'advanced', 'enterprise']).default('starter'),
  XERO_DAILY_CALL_LIMIT: z.coerce.number().int().min(1).optional(),
  XERO_CONNECTION_LIMIT: z.coerce.number().int().min(1).optional(),
  STRIPE_SECRET_KEY: optional,
  STRIPE_CONNECT_CLIENT_ID: optional,
  STRIPE_WEBHOOK_SECRET: optional,
});

type RawEnv = Record<string, string>;

// Cross-variable rules run on the raw strings so that they are reported together with type errors.
function crossChecks(e: RawEnv): string[] {
  const problems: string[] = [];
  const need = (key: string, why: string) => {
    if (e[key] === undefined) problems.push(`${key}: required ${why}`);
  };
  if (e.NODE_ENV === 'production') {
    need('DATABASE_URL', 'in production (the embedded PGlite database is for local use)');
    need('TEMPORAL_ADDRESS', 'in production (the embedded Temporal dev server is for local use)');
    need('ENCRYPTION_KEYS', 'in production (OAuth tokens are encrypted at rest)');
    need('APP_SECRET', 'in production (signs approval links and sessions)');
    need('SMTP_URL', 'in production (owners and clients must receive email)');
    need('PUBLIC_URL', 'in production (links in emails point at it)');
    if (e.SIMULATORS === 'on') problems.push('SIMULATORS: provider simulators cannot run in production');
  }
  if (e.TEMPORAL_TLS_CERT_PATH) need('TEMPORAL_TLS_KEY_PATH', 'with TEMPORAL_TLS_CERT_PATH');
  if (e.QUICKBOOKS_CLIENT_ID) need('QUICKBOOKS_CLIENT_SECRET', 'with QUICKBOOKS_CLIENT_ID');
  if (e.XERO_CLIENT_ID) need('XERO_CLIENT_SECRET', 'with XERO_CLIENT_ID');
  return problems;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // Empty strings from shell templates and compose files mean "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvShape.safeParse(cleaned);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)),
    ...crossChecks(cleaned as RawEnv),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = path.resolve(e.SHORTFALL_DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const hasAnyProvider = Boolean(e.QUICKBOOKS_CLIENT_ID || e.XERO_CLIENT_ID || e.STRIPE_SECRET_KEY);
  const simulators =
    e.SIMULATORS === 'on' || (e.SIMULATORS === 'auto' && e.NODE_ENV !== 'production' && !hasAnyProvider);
  // The Xero app's scope set and tier apply to the embedded sandbox too, so they sit outside the credentials.
  const xeroApp: {
    readonly scopeSet?: 'granular' | 'broad';
    readonly tier?: 'starter' | 'core' | 'plus' | 'advanced' | 'enterprise';
    readonly dailyCallLimit?: number | undefined;
    readonly connectionLimit?: number | undefined;
  } = {
    scopeSet: e.XERO_SCOPE_SET,
    tier: e.XERO_TIER,
    dailyCallLimit: e.XERO_DAILY_CALL_LIMIT,
    connectionLimit: e.XERO_CONNECTION_LIMIT,
  };
  // The realm's limits as Intuit grants them to this app: the published 500 a minute and 10 in flight by default.
  const quickbooksRateLimit = {
    requests: e.QUICKBOOKS_REQUESTS_PER_MINUTE,
    perMs: 60_000,
    concurrent: e.QUICKBOOKS_CONCURRENT_REQUESTS,
  };
  return Object.freeze({
    env: e.NODE_ENV,
    log: { level: e.LOG_LEVEL },
    // Only behind a reverse proxy may X-Forwarded-For name the client; otherwise anyone could dodge the rate limits.
    http: { host: e.HOST, port: e.PORT, publicUrl, trustProxy: e.TRUST_PROXY },
    dataDir,
    db: e.DATABASE_URL
      ? ({ kind: 'postgres', url: e.DATABASE_URL } as const)
      : ({ kind: 'pglite', dir: path.join(dataDir, 'pglite') } as const),
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls:
        e.TEMPORAL_TLS || Boolean(e.TEMPORAL_API_KEY || e.TEMPORAL_TLS_CERT_PATH)
          ? {
              certPath: e.TEMPORAL_TLS_CERT_PATH,
              keyPath: e.TEMPORAL_TLS_KEY_PATH,
              caPath: e.TEMPORAL_TLS_CA_PATH,
              serverName: e.TEMPORAL_TLS_SERVER_NAME,
            }
          : undefined,
      uiUrl: e.TEMPORAL_UI_URL,
      embedded: {
        cliPath: e.TEMPORAL_CLI_PATH,
        port: e.TEMPORAL_DEV_PORT,
        uiPort: e.TEMPORAL_DEV_UI_PORT,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
      },
    },
    secrets: { encryptionKeys: e.ENCRYPTION_KEYS, appSecret: e.APP_SECRET },
    // Client replies go to case+<id>@<this domain>, whose mail host posts them to /inbound/email.
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, replyDomain: e.MAIL_REPLY_DOMAIN ?? new URL(publicUrl).hostname },
    // Short payments last paid longer ago than this open no case (a first backfill brings years of history).
    detection: { staleAfterDays: e.DETECTION_STALE_AFTER_DAYS },
    // Documents live in the database; <data dir>/documents is only read to import what older installs kept there.
    documents: { quotaBytes: e.STORAGE_QUOTA_MB * 1024 * 1024, legacyDir: path.join(dataDir, 'documents') },
    simulators,
    // The simulators keep their state (and the ports they first got) in <data dir>/sandbox; these pin the ports.
    sandbox: {
      stateDir: path.join(dataDir, 'sandbox'),
      ports: { quickbooks: e.SANDBOX_QUICKBOOKS_PORT, xero: e.SANDBOX_XERO_PORT, stripe: e.SANDBOX_STRIPE_PORT },
    },
    xeroApp,
    quickbooksRateLimit,
    providers: {
      quickbooks: e.QUICKBOOKS_CLIENT_ID
        ? {
            clientId: e.QUICKBOOKS_CLIENT_ID,
            clientSecret: e.QUICKBOOKS_CLIENT_SECRET ?? '',
            webhookVerifierToken: e.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN,
            environment: e.QUICKBOOKS_ENVIRONMENT,
            ...(e.QUICKBOOKS_MONTHLY_READ_CAP !== undefined && { monthlyReadCap: e.QUICKBOOKS_MONTHLY_READ_CAP }),
            rateLimit: quickbooksRateLimit,
            baseUrl: e.QUICKBOOKS_BASE_URL,
          }
        : undefined,
      xero: e.XERO_CLIENT_ID
        ? {
            clientId: e.XERO_CLIENT_ID,
            clientSecret: e.XERO_CLIENT_SECRET ?? '',
            webhookKey: e.XERO_WEBHOOK_KEY,
            scopes: e.XERO_SCOPES,
            ...xeroApp,
            baseUrl: e.XERO_BASE_URL,
          }
        : undefined,
      stripe:
        e.STRIPE_SECRET_KEY || e.STRIPE_CONNECT_CLIENT_ID
          ? {
              secretKey: e.STRIPE_SECRET_KEY,
              connectClientId: e.STRIPE_CONNECT_CLIENT_ID,
              webhookSecret: e.STRIPE_WEBHOOK_SECRET,
              baseUrl: e.STRIPE_BASE_URL,
            }
          : undefined,
    },
  });
}

export type Config = ReturnType<typeof loadConfig>;
/** Every variable the schema knows, for the README and docker-compose checks. */
export const configKeys = Object.keys(EnvShape.shape) as string[];
