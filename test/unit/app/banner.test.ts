// The README quotes what `npm start` prints on the default settings; this holds the two together.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startBanner } from '../../../src/app/banner.js';
import { loadConfig } from '../../../src/app/config.js';
import { defaultSandboxPorts } from '../../../src/app/sandbox.js';
import { webSettings } from '../../../src/app/http/settings.js';

async function readmeBanner(): Promise<string> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const block = /<!-- start banner[^>]*-->\s*```text\n([\s\S]*?)\n```\s*<!-- end banner -->/.exec(readme);
  if (!block) throw new Error('README.md has no start banner block');
  return block[1]!;
}

describe('the start banner', () => {
  it('prints on the default settings exactly what the README says it prints', async () => {
    // An empty environment: the embedded Temporal dev server, the local mailbox and the sandbox simulators.
    const config = loadConfig({});
    expect(config.simulators).toBe(true);
    const banner = startBanner({
      publicUrl: config.http.publicUrl,
      temporalUi: `http://127.0.0.1:${config.temporal.embedded.uiPort}`,
      temporalAddress: `127.0.0.1:${config.temporal.embedded.port}`,
      mailbox: webSettings(config, 'x'.repeat(32)).mailbox,
      sandbox: {
        QuickBooks: `http://127.0.0.1:${defaultSandboxPorts.quickbooks}`,
        Xero: `http://127.0.0.1:${defaultSandboxPorts.xero}`,
        Stripe: `http://127.0.0.1:${defaultSandboxPorts.stripe}`,
      },
      dataDir: config.dataDir,
      cwd: process.cwd(),
    });
    expect(banner).toBe(await readmeBanner());
  });

  it('leaves out what does not run: no mailbox with SMTP, no sandbox with real credentials', () => {
    const banner = startBanner({
      publicUrl: 'https://shortfall.example',
      temporalAddress: 'temporal:7233',
      mailbox: false,
      dataDir: '/var/lib/shortfall',
      cwd: '/srv',
    });
    expect(banner.split('\n')).toEqual([
      '  Shortfall        https://shortfall.example',
      '  Temporal Web UI  (not embedded; set TEMPORAL_UI_URL)',
      '  Temporal gRPC    temporal:7233',
      '  Data             /var/lib/shortfall',
    ]);
  });
});
