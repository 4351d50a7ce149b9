// node-quickbooks failures → IntegrationError, translated once here (STYLE.md B2 #8).
// The SDK hands back either an axios error (non-2xx) or the Fault body of a 200, and QBO's faults come in
// three dialects: `{"Fault":{"Error":[…]}}`, `{"fault":{"error":[…]}}` on 401s, and XML on 429s.
import { z } from 'zod';
import { MoneyParseError, MoneyRangeError, UnknownCurrencyError } from '../../src/domain/money.js';
import { IntegrationError, type IntegrationErrorKind } from '../errors.js';
import { quickbooksLimits } from './limits.js';

const provider = 'quickbooks';

interface FaultEntry {
  readonly code?: string | undefined;
  readonly message?: string | undefined;
  readonly detail?: string | undefined;
}

interface Failure {
  readonly status?: number;
  readonly faultType?: string | undefined;
  readonly errors: readonly FaultEntry[];
  readonly retryAfter?: string;
}

const JsonFault = z.object({
  fault: z.object({
    type: z.string().nullish(),
    error: z
      .array(
        z.object({ code: z.coerce.string().optional(), message: z.string().nullish(), detail: z.string().nullish() }),
      )
      .default([]),
  }),
});

function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}

function xmlFault(text: string): Pick<Failure, 'faultType' | 'errors'> | undefined {
  const code = /<Error[^>]*\bcode="([^"]*)"/.exec(text)?.[1];
  if (code === undefined) return undefined;
  const tag = (name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];
  return {
    faultType: /<Fault[^>]*\btype="([^"]*)"/.exec(text)?.[1],
    errors: [{ code, message: tag('Message'), detail: tag('Detail') }],
  };
}

function parseFault(body: unknown): Pick<Failure, 'faultType' | 'errors'> | undefined {
  const text = Buffer.isBuffer(body)
    ? body.toString('utf8')
    : body instanceof ArrayBuffer
      ? Buffer.from(body).toString('utf8')
      : body;
  if (typeof text === 'string') {
    if (text.trimStart().startsWith('<')) return xmlFault(text);
    try {
      return parseFault(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  if (text === null || typeof text !== 'object') return undefined;
  const raw = 'Fault' in text ? text.Fault : 'fault' in text ? text.fault : undefined;
  const parsed = JsonFault.safeParse({ fault: lowerKeys(raw) });
  if (!parsed.success) return undefined;
  const { type, error } = parsed.data.fault;
  return {
    faultType: type ?? undefined,
    errors: error.map((e) => ({ code: e.code, message: e.message ?? undefined, detail: e.detail ?? undefined })),
  };
}

const AxiosLike = z.object({
  response: z.object({ status: z.number(), data: z.unknown(), headers: z.unknown() }).optional(),
  code: z.string().optional(),
  isAxiosError: z.boolean().optional(),
});

// axios hands back an AxiosHeaders instance, not a plain record.
function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const value: unknown = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function readFailure(e: unknown): Failure | undefined {
  // A 200 whose body is a Fault arrives as the "error" itself, a plain object.
  if (!(e instanceof Error)) return parseFault(e);
  const axios = AxiosLike.safeParse(e);
  if (!axios.success || !(axios.data.isAxiosError || axios.data.response)) return undefined;
  const res = axios.data.response;
  if (!res) return { errors: [{ code: axios.data.code }] }; // no response at all: the network failed
  const retryAfter = headerValue(res.headers, 'retry-after');
  return {
    status: res.status,
    ...(parseFault(res.data) ?? { errors: [] }),
    ...(typeof retryAfter === 'string' && { retryAfter }),
  };
}

const codesOf = (f: Failure) => new Set(f.errors.map((e) => e.code));
const authFaultTypes = new Set(['AUTHENTICATION', 'AuthenticationFault', 'AuthorizationFault']);

function kindOf(f: Failure): IntegrationErrorKind {
  const codes = codesOf(f);
  if (f.status === 429 || codes.has('3001')) return 'rate_limited'; // ThrottleExceeded (once sent as a 403)
  if (
    f.status === 401 ||
    f.status === 403 ||
    codes.has('3200') ||
    codes.has('3100') ||
    authFaultTypes.has(f.faultType ?? '')
  )
    return 'auth';
  if (f.status === 404 || codes.has('610')) return 'not_found'; // 610 "Object Not Found" comes with a 400
  if (codes.has('5010')) return 'conflict'; // Stale Object Error: the SyncToken is out of date
  if (f.status === undefined && f.faultType === undefined) return 'transient';
  if ((f.status ?? 0) >= 500 || f.faultType === 'SystemFault') return 'transient';
  return 'invalid';
}

function retryAfterMs(header: string | undefined, nowMs: number): number {
  if (header === undefined) return quickbooksLimits.throttleBackoffMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? quickbooksLimits.throttleBackoffMs : Math.max(0, at - nowMs);
}

function describe(f: Failure): string {
  const first = f.errors[0];
  const { message, detail } = first ?? {};
  if (message && detail && detail !== message) return `${message} (${detail})`;
  return message || detail || (f.status ? `HTTP ${f.status}` : `network error${first?.code ? ` ${first.code}` : ''}`);
}

function fromFailure(f: Failure, cause: unknown, nowMs: number): IntegrationError {
  const kind = kindOf(f);
  const code = f.errors.find((e) => e.code)?.code;
  return new IntegrationError(kind, `QuickBooks: ${describe(f)}`, {
    provider,
    cause,
    ...(f.status !== undefined && { status: f.status }),
    ...(code !== undefined && { code }),
    ...(kind === 'rate_limited' && { retryAfterMs: retryAfterMs(f.retryAfter, nowMs) }),
  });
}

/** Maps SDK, payload and amount errors; anything else (our own bugs) is returned unchanged. */
export function toIntegrationError(e: unknown, nowMs: number = Date.now()): unknown {
  if (e instanceof IntegrationError) return e;
  if (e instanceof z.ZodError) {
    return new IntegrationError('invalid', `QuickBooks returned an unexpected payload: ${z.prettifyError(e)}`, {
      provider,
      cause: e,
    });
  }
  if (e instanceof MoneyParseError || e instanceof UnknownCurrencyError || e instanceof MoneyRangeError) {
    return new IntegrationError('invalid', `QuickBooks amount cannot be represented: ${e.message}`, {
      provider,
      cause: e,
    });
  }
  const failure = readFailure(e);
  return failure ? fromFailure(failure, e, nowMs) : e;
}

export async function withQuickbooksErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toIntegrationError(e);
  }
}
