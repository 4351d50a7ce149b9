// On the embedded default nobody should have to invent keys: generate them once and keep them beside
// the data (mode 0600). Production refuses to start without ENCRYPTION_KEYS and APP_SECRET (config.ts).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const Stored = z.object({ encryptionKeys: z.string().min(1), appSecret: z.string().min(32) });

export interface SecretSettings {
  readonly secrets: { readonly encryptionKeys?: string | undefined; readonly appSecret?: string | undefined };
  readonly dataDir: string;
}

export async function resolveSecrets(config: SecretSettings): Promise<z.infer<typeof Stored>> {
  const { encryptionKeys, appSecret } = config.secrets;
  if (encryptionKeys && appSecret) return { encryptionKeys, appSecret };
  const file = path.join(config.dataDir, 'secrets.json');
  let stored: z.infer<typeof Stored>;
  try {
    stored = Stored.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file} is unreadable; restore it or set ENCRYPTION_KEYS and APP_SECRET`, { cause: err });
    stored = {
      encryptionKeys: `local1:${randomBytes(32).toString('base64')}`,
      appSecret: randomBytes(32).toString('base64url'),
    };
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  }
  return { encryptionKeys: encryptionKeys ?? stored.encryptionKeys, appSecret: appSecret ?? stored.appSecret };
}
