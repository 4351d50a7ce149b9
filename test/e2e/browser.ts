// Headless Chromium through playwright-core, with a fresh profile per run. The browser is CHROMIUM_PATH, else a
// `chromium` on PATH (Debian's), else the npm @sparticuz/chromium build (a devDependency), unpacked to the temp dir.
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = env.CHROMIUM_PATH || onPath('chromium', env.PATH) || onPath('chromium-browser', env.PATH);
  if (found) return found;
  try {
    const { default: packaged } = await import('@sparticuz/chromium');
    return await packaged.executablePath();
  } catch (err) {
    throw new Error(
      `No Chromium: set CHROMIUM_PATH, put \`chromium\` on PATH, or run \`npm ci\` (devDependency @sparticuz/chromium). ${String(err)}`,
      { cause: err },
    );
  }
}

/**
 * Playwright's own SIGINT/SIGTERM/SIGHUP handlers are off: they close the browser but keep the process alive, so a
 * test fork told to stop would linger. The browser carries the run's mark and is stopped with the rest (reaper.ts).
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'shortfall-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: await chromiumExecutable(),
    headless: true,
    args,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
