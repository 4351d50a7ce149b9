import { describe, expect, it } from 'vitest';
import { ConfigError, configKeys, loadConfig } from '../../../src/app/config.js';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@db:5432/shortfall',
  TEMPORAL_ADDRESS: 'temporal:7233',
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  APP_SECRET: 'x'.repeat(40),
  SMTP_URL: 'smtp://mail:1025',
  PUBLIC_URL: 'https://shortfall.example.com/',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults to the embedded setup: PGlite under the data dir, embedded Temporal, simulators on', () => {
    const c = loadConfig({});
    expect(c.db).toEqual({ kind: 'pglite', dir: expect.stringMatching(/\.shortfall\/pglite$/) });
    expect(c.temporal.address).toBeUndefined();
    expect(c.temporal.embedded).toMatchObject({
      port: 7233,
      uiPort: 8233,
      dbFile: expect.stringMatching(/temporal\.sqlite$/),
    });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 3000, publicUrl: 'http://localhost:3000', trustProxy: false });
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(c.simulators).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('uses Postgres and a real Temporal cluster when configured, with TLS implied by an API key', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://localhost/x',
      TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns',
      TEMPORAL_API_KEY: 'key',
    });
    expect(c.db).toEqual({ kind: 'postgres', url: 'postgres://localhost/x' });
    expect(c.temporal).toMatchObject({ address: 'ns.tmprl.cloud:7233', namespace: 'ns', apiKey: 'key', tls: {} });
  });

  it('turns simulators off when a real provider is configured, and in production', () => {
    expect(loadConfig({ STRIPE_SECRET_KEY: 'rk_live_x' }).simulators).toBe(false);
    expect(loadConfig(production).simulators).toBe(false);
    expect(loadConfig({ SIMULATORS: 'off' }).simulators).toBe(false);
  });

  it('accepts a complete production environment and trims the public URL', () => {
    expect(loadConfig(production).http.publicUrl).toBe('https://shortfall.example.com');
  });

  it('lists every problem at once, type errors and missing production settings together', () => {
    expect(problems({ NODE_ENV: 'production', PORT: 'eighty', LOG_LEVEL: 'loud' })).toEqual([
      expect.stringMatching(/^LOG_LEVEL: /),
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^DATABASE_URL: required in production/),
      expect.stringMatching(/^TEMPORAL_ADDRESS: required in production/),
      expect.stringMatching(/^ENCRYPTION_KEYS: required in production/),
      expect.stringMatching(/^APP_SECRET: required in production/),
      expect.stringMatching(/^SMTP_URL: required in production/),
      expect.stringMatching(/^PUBLIC_URL: required in production/),
    ]);
  });

  it('rejects simulators in production, half-configured providers and malformed keys', () => {
    expect(problems({ ...production, SIMULATORS: 'on' })).toEqual([
      'SIMULATORS: provider simulators cannot run in production',
    ]);
    expect(problems({ QUICKBOOKS_CLIENT_ID: 'abc' })).toEqual([
      'QUICKBOOKS_CLIENT_SECRET: required with QUICKBOOKS_CLIENT_ID',
    ]);
    expect(problems({ ENCRYPTION_KEYS: 'no-colon' })).toEqual([
      expect.stringMatching(/^ENCRYPTION_KEYS: expected "keyId:base64Key/),
    ]);
    expect(problems({ APP_SECRET: 'short' })).toEqual(['APP_SECRET: must be at least 32 characters']);
  });

  it('sends client replies to the public host unless a reply domain is configured', () => {
    expect(loadConfig(production).mail.replyDomain).toBe('shortfall.example.com');
    expect(loadConfig({ ...production, MAIL_REPLY_DOMAIN: 'replies.example.com' }).mail.replyDomain).toBe(
      'replies.example.com',
    );
    expect(problems({ MAIL_REPLY_DOMAIN: 'not a domain' })).toEqual([
      'MAIL_REPLY_DOMAIN: expected a mail domain such as replies.example.com',
    ]);
  });

  it('ages short payments out after 90 days unless told otherwise, in whole days of at least one', () => {
    expect(loadConfig({}).detection).toEqual({ staleAfterDays: 90 });
    expect(loadConfig({ DETECTION_STALE_AFTER_DAYS: '30' }).detection).toEqual({ staleAfterDays: 30 });
    for (const bad of ['0', '-5', '1.5', 'soon'])
      expect(problems({ DETECTION_STALE_AFTER_DAYS: bad })).toEqual([
        expect.stringMatching(/^DETECTION_STALE_AFTER_DAYS: /),
      ]);
  });

  it('gives each organisation 1 GB of document storage unless told otherwise, in whole megabytes', () => {
    expect(loadConfig({ SHORTFALL_DATA_DIR: '/srv/shortfall' }).documents).toEqual({
      quotaBytes: 1024 * 1024 * 1024,
      legacyDir: '/srv/shortfall/documents',
    });
    expect(loadConfig({ STORAGE_QUOTA_MB: '50' }).documents.quotaBytes).toBe(50 * 1024 * 1024);
    for (const bad of ['0', '-1', '2.5', 'lots'])
      expect(problems({ STORAGE_QUOTA_MB: bad })).toEqual([expect.stringMatching(/^STORAGE_QUOTA_MB: /)]);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: '' }).db.kind).toBe('pglite');
  });

  it('exposes the list of variables it reads', () => {
    expect(configKeys).toContain('TEMPORAL_ADDRESS');
    expect(configKeys).toContain('SHORTFALL_DATA_DIR');
  });
});
