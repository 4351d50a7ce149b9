// What `npm start` prints once everything is up. The README quotes it for the default settings, and a test
// (test/unit/banner.test.ts) holds the two together.
import path from 'node:path';

export interface BannerInput {
  readonly publicUrl: string;
  /** The Temporal Web UI, when known. */
  readonly temporalUi?: string | undefined;
  readonly temporalAddress: string;
  /** Mail stays in the local mailbox (no SMTP_URL). */
  readonly mailbox: boolean;
  /** The sandbox simulators' base URLs by the name shown (src/app/sandbox.ts sandboxBaseUrls), when they run. */
  readonly sandbox?: Readonly<Record<string, string>> | undefined;
  readonly dataDir: string;
  /** Paths under it are printed relative to it (the working directory). */
  readonly cwd: string;
}

export function startBanner(b: BannerInput): string {
  const relative = path.relative(b.cwd, b.dataDir);
  const rows: [string, string][] = [
    ['Shortfall', b.publicUrl],
    ...(b.mailbox ? [['Local mailbox', `${b.publicUrl}/dev/mailbox`] as [string, string]] : []),
    ['Temporal Web UI', b.temporalUi ?? '(not embedded; set TEMPORAL_UI_URL)'],
    ['Temporal gRPC', b.temporalAddress],
    ...(b.sandbox ? Object.entries(b.sandbox).map(([name, url]): [string, string] => [`Sandbox ${name}`, url]) : []),
    ['Data', relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : b.dataDir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`).join('\n');
}
