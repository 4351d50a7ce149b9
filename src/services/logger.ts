// One pino root for the whole process; modules take named children (STYLE.md B2 #13).
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["intuit-signature"]',
  'req.headers["x-xero-signature"]',
  'req.headers["stripe-signature"]',
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
