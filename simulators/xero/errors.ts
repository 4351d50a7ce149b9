// Xero's error answers: a 400 carries the `Error` schema (ValidationException with messages), 401/403 an
// RFC 7807 problem, 404 a line of text, 429 nothing but headers.
import { randomUUID } from 'node:crypto';

export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export class SimValidationError extends SimError {
  constructor(...messages: string[]) {
    super(
      400,
      {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'A validation exception occurred',
        Elements: [{ ValidationErrors: messages.map((Message) => ({ Message })) }],
      },
      messages.join('; '),
    );
  }
}

const problem = (status: number, title: string, detail: string) => ({
  Type: null,
  Title: title,
  Status: status,
  Detail: detail,
  Instance: randomUUID(),
  Extensions: {},
});

export const unauthorized = (detail: string) =>
  new SimError(401, problem(401, 'Unauthorized', detail), detail, {
    'www-authenticate': 'Bearer error="invalid_token"',
  });
export const forbidden = (detail: string) => new SimError(403, problem(403, 'Forbidden', detail), detail);
export const notFound = (what: string) =>
  new SimError(404, "The resource you're looking for cannot be found", `${what} not found`);
export const conflict = (detail: string) => new SimError(409, problem(409, 'Conflict', detail), detail);
