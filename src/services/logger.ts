// One pino root for the whole process; modules take named children (STYLE.md B2 #13).
import { pino, type Logger, type LoggerOptions } from 'pino';
import { webhookSignatureHeaders } from '../../integrations/registry.js';

export type { Logger };

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...webhookSignatureHeaders.map((h) => `req.headers["${h}"]`),
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
  '*.password',
  '*.apiKey',
  '*.token',
];

export function createLogger(
  opts: { level: string; destination?: pino.DestinationStream } & Pick<LoggerOptions, 'base'>,
): Logger {
  const options: LoggerOptions = {
    level: opts.level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: opts.base ?? { service: 'shortfall' },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
