// An SDK error can carry the request it failed on, bearer token included. Wrapped in an IntegrationError and
// logged the way the app logs failures (`{ err }` through the root pino logger), the token must not appear.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import { createLogger } from '../../../src/services/logger.js';

function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

/** Shaped like an axios error from an SDK: the failed request's config and headers ride along. */
function sdkError() {
  return Object.assign(new Error('Request failed with status code 401'), {
    config: {
      url: 'https://api.xero.com/api.xro/2.0/Invoices',
      headers: { Authorization: 'Bearer eyJ-the-access-token' },
    },
    response: { status: 401, data: { Title: 'Unauthorized' } },
  });
}

describe('IntegrationError in logs', () => {
  it('keeps the SDK error as Error.cause and out of the serialised fields', () => {
    const cause = sdkError();
    const e = new IntegrationError('auth', 'Xero answered 401', {
      provider: 'xero',
      status: 401,
      code: 'unauthorized',
      cause,
    });
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ provider: 'xero', status: 401, code: 'unauthorized' });
    expect(Object.keys(e)).not.toContain('cause');

    const { lines, logger } = captured();
    logger.error({ err: e }, 'request failed');
    const out = lines.join('');
    expect(out).toContain('Xero answered 401');
    expect(out).toContain('"kind":"auth"');
    expect(out).toContain('"status":401');
    expect(out).not.toContain('eyJ-the-access-token');
  });
});
