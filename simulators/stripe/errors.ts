// Stripe's error envelope: { error: { type, code, message, param } }.
import type { z } from 'zod';

export interface StripeErrorBody {
  readonly type: 'invalid_request_error' | 'api_error' | 'idempotency_error' | 'card_error';
  readonly code?: string;
  readonly message: string;
  readonly param?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    /** Stripe saves an idempotent result only once the endpoint started executing. */
    readonly saved = true,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }

  envelope() {
    return { error: this.body };
  }
}

export const resourceMissing = (what: string, id: string, param = 'id') =>
  new ApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${what}: '${id}'`,
    param,
  });

export const invalidRequest = (message: string, param?: string, code?: string) =>
  new ApiError(400, { type: 'invalid_request_error', message, ...(param && { param }), ...(code && { code }) });

/** Parameter validation fails before the endpoint runs, so no idempotent result is kept. */
export const invalidParam = (param: string, message: string, code = 'parameter_invalid') =>
  new ApiError(400, { type: 'invalid_request_error', code, message, param }, false);

function bracketPath(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ''}${rest.map((p) => `[${p}]`).join('')}`;
}

export function fromZodIssue(issue: z.core.$ZodIssue): ApiError {
  if (issue.code === 'unrecognized_keys') {
    const param = bracketPath([...issue.path, issue.keys[0] ?? '']);
    return invalidParam(param, `Received unknown parameter: ${param}`, 'parameter_unknown');
  }
  const param = bracketPath(issue.path);
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return invalidParam(param, `Missing required param: ${param}.`, 'parameter_missing');
  return invalidParam(param, `Invalid ${param}: ${issue.message}`);
}

export function parseParams<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw fromZodIssue(result.error.issues[0] as z.core.$ZodIssue);
}
