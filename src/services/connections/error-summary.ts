// Errors from provider SDKs can carry request configs with bearer tokens in enumerable fields, which a
// logger would serialise. Log this summary instead of the error object.
import { isIntegrationError } from '../../../integrations/errors.js';

export function errorSummary(err: unknown): { kind?: string; code?: string; status?: number; message: string } {
  if (isIntegrationError(err))
    return { kind: err.kind, code: err.details.code, status: err.details.status, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}
