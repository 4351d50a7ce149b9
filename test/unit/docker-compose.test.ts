// No Docker engine runs here, so the compose file is checked statically against the config schema.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configKeys, loadConfig } from '../../src/app/config.js';

interface Service {
  image?: string;
  build?: string;
  command?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

const composeText = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
const envExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

/** What an operator must set: the required values in .env.example, with sample values. */
const required: Record<string, string> = {
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  APP_SECRET: 'a'.repeat(48),
  SMTP_URL: 'smtp://mail.example.com:587',
  SHORTFALL_DB_PASSWORD: 'db-secret',
  TEMPORAL_DB_PASSWORD: 'temporal-secret',
};

/**
 * Interpolates `${VAR}`, `${VAR:-default}` and `${VAR:?message}` the way compose does, innermost first (defaults
 * may hold variables): a missing required value throws its message.
 */
function interpolate(text: string, vars: Record<string, string>): string {
  const inner = /\$\{(\w+)(?::([-?])([^${}]*))?\}/;
  let out = String(text);
  for (let m = inner.exec(out); m; m = inner.exec(out)) {
    const [whole, name, op, rest] = m;
    const value = vars[name!];
    let replacement: string;
    if (value !== undefined && value !== '') replacement = value;
    else if (op === '?') throw new Error(`${name}: ${rest}`);
    else replacement = op === '-' ? (rest ?? '') : '';
    out = out.replace(whole, replacement);
  }
  return out;
}

function resolve(env: Record<string, string>, vars: Record<string, string> = required): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(String(v), vars)]));
}

describe('docker-compose.yml', () => {
  it('has Temporal on Postgres with a schema job, its UI, Postgres for Shortfall, Mailpit, and the two Shortfall processes', () => {
    expect(Object.keys(services).sort()).toEqual([
      'mailpit',
      'shortfall-db',
      'shortfall-server',
      'shortfall-worker',
      'temporal',
      'temporal-db',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
    ]);
    expect(services.temporal!.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services.temporal!.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services.mailpit!.image).toMatch(/^axllent\/mailpit:/);
    expect(JSON.stringify(services)).not.toContain('auto-setup');
  });

  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect(s.image, name).toMatch(/:[\w.-]+$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }
  });

  it('runs the server and the worker from the same build with different commands', () => {
    expect(services['shortfall-server']!.build).toBe('.');
    expect(services['shortfall-worker']!.build).toBe('.');
    expect(services['shortfall-server']!.command).toEqual(['server']);
    expect(services['shortfall-worker']!.command).toEqual(['worker']);
  });

  it.each(['shortfall-server', 'shortfall-worker'])(
    'gives %s only variables the config schema knows, and a valid production config',
    (name) => {
      const env = services[name]!.environment!;
      for (const key of Object.keys(env)) expect(configKeys, key).toContain(key);
      const config = loadConfig(resolve(env));
      expect(config.env).toBe('production');
      expect(config.db.kind).toBe('postgres');
      expect(config.temporal.address).toBe('temporal:7233');
      expect(config.simulators).toBe(false);
    },
  );

  it('is a valid Compose file by the Compose Specification schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../fixtures/compose-spec/compose-spec.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    // ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
    const addFormats = (formatsPlugin as unknown as { default: (a: Ajv2020) => Ajv2020 }).default;
    addFormats(ajv);
    const validate = ajv.compile(schema);
    // Validated as compose reads it: with the operator's values interpolated and the YAML anchors merged.
    const interpolated = parse(interpolate(composeText, required), { merge: true }) as object;
    const ok = validate(interpolated);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('takes every setting from the environment or .env, and documents each in .env.example', () => {
    const documented = new Set([...envExample.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    const referenced = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    for (const name of referenced) expect(documented, `${name} in .env.example`).toContain(name);
    // Every variable the app reads is in .env.example, set or explained.
    for (const key of configKeys) expect(documented, `${key} in .env.example`).toContain(key);
    // The app's settings reach both processes; those not taken from the environment are the stack's own.
    const fixed = new Set(['NODE_ENV', 'SIMULATORS', 'SHORTFALL_DATA_DIR', 'HOST', 'PORT']);
    const embeddedOnly = ['TEMPORAL_CLI_PATH', 'TEMPORAL_DEV_PORT', 'TEMPORAL_DEV_UI_PORT', 'SANDBOX_'];
    for (const name of ['shortfall-server', 'shortfall-worker']) {
      const env = services[name]!.environment!;
      for (const key of configKeys) {
        if (fixed.has(key) || embeddedOnly.some((p) => key.startsWith(p))) continue;
        expect(env[key], `${name} ${key}`).toMatch(new RegExp(`^\\$\\{${key}[:}]`));
      }
    }
  });

  it('hard-codes no mail server: without SMTP_URL the stack refuses to start, with it letters go there', () => {
    const env = services['shortfall-server']!.environment!;
    const { SMTP_URL: _unset, ...withoutSmtp } = required;
    expect(() => resolve(env, withoutSmtp)).toThrow(/SMTP_URL/);
    expect(loadConfig(resolve(env)).mail.smtpUrl).toBe('smtp://mail.example.com:587');
    expect(composeText).not.toMatch(/SMTP_URL:\s*smtp:/);
  });

  it('publishes ports on 127.0.0.1 unless the operator sets BIND_ADDRESS', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p]));
    expect(published.map(([name]) => name).sort()).toEqual(['mailpit', 'shortfall-server', 'temporal', 'temporal-ui']);
    for (const [name, port] of published) {
      expect(port, name).toMatch(/^\$\{BIND_ADDRESS:-127\.0\.0\.1\}:/);
      expect(interpolate(port!, {}), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      expect(interpolate(port!, { BIND_ADDRESS: '0.0.0.0' }), name).toMatch(/^0\.0\.0\.0:/);
    }
  });

  it('restarts every long-running service unless stopped; the one-shot setup jobs run once', () => {
    const jobs = ['temporal-schema', 'temporal-namespace'];
    for (const [name, s] of Object.entries(services)) {
      if (jobs.includes(name)) expect(s.restart, name).toBeUndefined();
      else expect(s.restart, name).toBe('unless-stopped');
    }
  });

  it('health-checks the server (readiness) and the worker (its heartbeat) with shortfall healthcheck', () => {
    expect(services['shortfall-server']!.healthcheck!.test).toEqual([
      'CMD',
      'node',
      'bin/shortfall.js',
      'healthcheck',
      'server',
    ]);
    expect(services['shortfall-worker']!.healthcheck!.test).toEqual([
      'CMD',
      'node',
      'bin/shortfall.js',
      'healthcheck',
      'worker',
    ]);
  });

  it('keeps what must last in named volumes: both databases and the data directory the processes share', () => {
    const named = Object.keys((compose as unknown as { volumes: Record<string, unknown> }).volumes).sort();
    expect(named).toEqual(['shortfall-data', 'shortfall-db', 'temporal-db']);
    expect(services['shortfall-db']!.volumes).toEqual(['shortfall-db:/var/lib/postgresql/data']);
    expect(services['temporal-db']!.volumes).toEqual(['temporal-db:/var/lib/postgresql/data']);
    for (const name of ['shortfall-server', 'shortfall-worker'])
      expect(services[name]!.volumes, name).toEqual(['shortfall-data:/app/.shortfall']);
  });

  it('builds an image that runs as the non-root node user and owns its private data directory', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/SHORTFALL_DATA_DIR=\/app\/\.shortfall/);
    expect(dockerfile).toMatch(/chown node:node \/app\/\.shortfall/);
    expect(dockerfile).toMatch(/chmod 700 \/app\/\.shortfall/);
    // The user directive comes after every step that needs root.
    expect(dockerfile.lastIndexOf('RUN ')).toBeLessThan(dockerfile.indexOf('USER node'));
  });

  it('runs every service process as bin/process-settings.js says, in the image and from npm', async () => {
    const { nodeFlags, processEnv } = await import('../../bin/process-settings.js');
    // The image sets them itself, so its entry point never has to start Node again to apply them: the V8 flags on
    // the entry point's command line (Node refuses some in NODE_OPTIONS), the environment with ENV.
    const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(entry).toEqual(['node', ...nodeFlags, 'bin/shortfall.js']);
    for (const [name, value] of Object.entries(processEnv))
      expect(new RegExp(`\\b${name}=(\\S+)`).exec(dockerfile)?.[1], name).toBe(value);
    // npm runs the same entry point as the image, which applies them.
    const scripts = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const name of ['start', 'start:server', 'start:worker'])
      expect(scripts[name], name).toMatch(/^exec node bin\/shortfall\.js (embedded|server|worker)$/);
  });
});
