// One client connection and one worker connection per process, created at boot (STYLE.md B3 #5).
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config.js';

export interface TemporalTarget {
  readonly address: string;
  readonly namespace: string;
  readonly apiKey?: string | undefined;
  readonly tls?: Config['temporal']['tls'];
}

async function tlsOptions(tls: TemporalTarget['tls']) {
  if (!tls) return undefined;
  const read = (p: string | undefined) => (p ? readFile(p) : Promise.resolve(undefined));
  const [crt, key, ca] = await Promise.all([read(tls.certPath), read(tls.keyPath), read(tls.caPath)]);
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
  };
}

export async function connectClient(t: TemporalTarget): Promise<{ client: Client; connection: Connection }> {
  const tls = await tlsOptions(t.tls);
  const connection = await Connection.connect({
    address: t.address,
    ...(tls ? { tls } : {}),
    ...(t.apiKey ? { apiKey: t.apiKey } : {}),
  });
  return { client: new Client({ connection, namespace: t.namespace }), connection };
}

export async function connectWorker(t: TemporalTarget): Promise<NativeConnection> {
  const tls = await tlsOptions(t.tls);
  return NativeConnection.connect({
    address: t.address,
    ...(tls ? { tls } : {}),
    ...(t.apiKey ? { apiKey: t.apiKey } : {}),
  });
}
