// Xero failures → IntegrationError, translated once here (STYLE.md B2 #8). Three sources: xero-node's API
// methods (which reject with a JSON *string* of {response:{statusCode, body, headers}}), openid-client
// (OPError carrying the OAuth error code), and our own fetches of /connections.
import { errors as openIdErrors } from 'openid-client';
import { z } from 'zod';
import { MoneyParseError, MoneyRangeError, UnknownCurrencyError } from '../../src/domain/money.js';
import { IntegrationError, type IntegrationErrorKind } from '../errors.js';
import { XeroDateError } from './dates.js';
import { xeroLimits } from './limits.js';
import { XeroErrorBody, XeroProblemBody } from './schemas.js';

const provider = 'xero';

export interface HttpFailure {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, unknown>>;
}

const SdkRejection = z.object({
  response: z.object({
    statusCode: z.number(),
    body: z.unknown(),
    headers: z.record(z.string(), z.unknown()).nullish(),
  }),
});

/** Reads what xero-node rejected with; undefined when it is not an HTTP failure (a bug of ours, say). */
export function readSdkFailure(e: unknown): HttpFailure | undefined {
  let value: unknown = e;
  if (typeof e === 'string') {
    try {
      value = JSON.parse(e);
    } catch {
      return undefined;
    }
  }
  const parsed = SdkRejection.safeParse(value);
  if (!parsed.success) return undefined;
  const { statusCode, body, headers } = parsed.data.response;
  return { status: statusCode, body: parsedBody(body), headers: lowerCaseKeys(headers ?? {}) };
}

/** client.ts asks for every body as text: an error's JSON body is read as JSON, any other text stays text. */
function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

const lowerCaseKeys = (h: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function header(f: HttpFailure, name: string): string | undefined {
  const v = f.headers[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function kindOf(status: number): IntegrationErrorKind {
  if (status === 0) return 'transient'; // no response at all: the network failed
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'transient';
  return 'invalid';
}

export function retryAfterMs(value: string | undefined, nowMs: number): number {
  if (value === undefined) return xeroLimits.rateLimitedBackoffMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? xeroLimits.rateLimitedBackoffMs : Math.max(0, at - nowMs);
}

function describe(body: unknown): string | undefined {
  const error = XeroErrorBody.safeParse(body);
  if (error.success && (error.data.Message || error.data.Elements)) {
    const details = (error.data.Elements ?? [])
      .flatMap((el) => el.ValidationErrors ?? [])
      .map((v) => v.Message)
      .filter(Boolean);
    return [error.data.Message, ...details].filter(Boolean).join(': ');
  }
  const problem = XeroProblemBody.safeParse(body);
  if (problem.success && (problem.data.Detail || problem.data.Title)) return problem.data.Detail ?? problem.data.Title;
  return typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : undefined;
}

export function fromHttpFailure(
  f: HttpFailure,
  what: string,
  cause: unknown,
  nowMs: number = Date.now(),
): IntegrationError {
  const kind = kindOf(f.status);
  const problem = header(f, 'x-rate-limit-problem');
  const text = describe(f.body) ?? (f.status ? `HTTP ${f.status}` : 'network error');
  if (kind === 'rate_limited' && problem?.toLowerCase() === 'day') {
    // Xero's own daily cap for this organisation (1,000 calls on the Starter tier): the owner sees this as the
    // connection's last error, so it names the cause and the cure rather than an HTTP status.
    const waitMs = retryAfterMs(header(f, 'retry-after'), nowMs);
    return new IntegrationError(
      kind,
      `Xero ${what} refused: the app's daily API limit for this organisation is used up; syncing resumes by itself in about ` +
        `${Math.max(1, Math.ceil(waitMs / 3600_000))} hour(s). A higher Xero app tier (XERO_TIER) raises the limit.`,
      { provider, cause, status: f.status, retryAfterMs: waitMs, code: 'rate_limit_day' },
    );
  }
  return new IntegrationError(kind, `Xero ${what} failed: ${text}`, {
    provider,
    cause,
    ...(f.status !== 0 && { status: f.status }),
    ...(kind === 'rate_limited' && {
      retryAfterMs: retryAfterMs(header(f, 'retry-after'), nowMs),
      ...(problem && { code: `rate_limit_${problem}` }),
    }),
  });
}

const OAuthFailure = z.object({
  error: z.string().min(1),
  error_description: z.string().optional(),
  response: z
    .object({ statusCode: z.number().optional(), headers: z.record(z.string(), z.unknown()).optional() })
    .optional(),
});

// invalid_grant: the refresh token was rotated away, expired or revoked, or the code was already used;
// nothing but a new consent helps, so it is `auth` (non-retryable) like every other credential failure.
const authCodes = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied', 'invalid_scope']);

/** openid-client's OPError (the identity server answered with an OAuth error) and its transport errors. */
export function fromOAuthFailure(e: unknown, what: string, nowMs: number = Date.now()): IntegrationError {
  const parsed =
    e instanceof Error && 'error' in e
      ? OAuthFailure.safeParse({ ...e, response: (e as { response?: unknown }).response })
      : undefined;
  if (!parsed?.success) {
    // RPError: the answer failed openid-client's own checks (state, missing code): retrying will not help,
    // except when it is the client's timeout. Anything else never reached the server.
    const rejected = e instanceof openIdErrors.RPError && !/timed out/.test(e.message);
    return new IntegrationError(
      rejected ? 'invalid' : 'transient',
      `Xero ${what} failed: ${e instanceof Error ? e.message : String(e)}`,
      { provider, cause: e },
    );
  }
  const { error, error_description: description, response } = parsed.data;
  const status = response?.statusCode;
  const oauthCode = /^[a-z_]+$/.test(error) ? error : undefined; // else openid-client's own "expected 200 OK, got…"
  const kind: IntegrationErrorKind =
    oauthCode && authCodes.has(oauthCode) ? 'auth' : status !== undefined ? kindOf(status) : 'invalid';
  const retryAfter = response?.headers?.['retry-after'];
  return new IntegrationError(kind, `Xero ${what} failed: ${description ? `${error} (${description})` : error}`, {
    provider,
    cause: e,
    ...(status !== undefined && { status }),
    ...(oauthCode && { code: oauthCode }),
    ...(kind === 'rate_limited' && {
      retryAfterMs: retryAfterMs(typeof retryAfter === 'string' ? retryAfter : undefined, nowMs),
    }),
  });
}

/** Maps SDK, payload and amount errors; anything else (our own bugs) is returned unchanged. */
export function toIntegrationError(e: unknown, what: string, nowMs: number = Date.now()): unknown {
  if (e instanceof IntegrationError) return e;
  if (e instanceof z.ZodError) {
    return new IntegrationError('invalid', `Xero ${what} returned an unexpected payload: ${z.prettifyError(e)}`, {
      provider,
      cause: e,
    });
  }
  if (
    e instanceof MoneyParseError ||
    e instanceof UnknownCurrencyError ||
    e instanceof MoneyRangeError ||
    e instanceof XeroDateError
  ) {
    return new IntegrationError('invalid', `Xero ${what} returned a value we cannot represent: ${e.message}`, {
      provider,
      cause: e,
    });
  }
  const failure = readSdkFailure(e);
  return failure ? fromHttpFailure(failure, what, e, nowMs) : e;
}
