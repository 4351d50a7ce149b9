// No Docker engine runs here, so the compose file is checked statically against the config schema.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configKeys, loadConfig } from '../../src/app/config.js';

interface Service {
  image?: string;
  build?: string;
  command?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

// Resolve `${VAR:-default}` / `${VAR:?msg}` the way compose would with sample values for required ones.
function resolve(env: Record<string, string>): Record<string, string> {
  const samples: Record<string, string> = {
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    APP_SECRET: 'a'.repeat(48),
  };
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(
        /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
        (_m, name: string, op?: string, rest?: string) => samples[name] ?? (op === '-' ? (rest ?? '') : ''),
      ),
    ]),
  );
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
});
