// API keys → the account a request acts on; Stripe-Account only works for the platform's secret key on
// an account connected to it.
import { ApiError } from './errors.js';
import type { AccountData, KeyGrant, StripeStore } from './store.js';

export interface Caller {
  readonly grant: KeyGrant;
  readonly data: AccountData;
}

const unauthorized = (message: string) => new ApiError(401, { type: 'invalid_request_error', message }, false);
const redact = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

function keyOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.split(' ');
  if (scheme === 'Bearer') return value;
  if (scheme === 'Basic' && value) return Buffer.from(value, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

export function authenticate(
  store: StripeStore,
  authorization: string | undefined,
  stripeAccount: string | undefined,
): Caller {
  const key = keyOf(authorization);
  if (!key)
    throw unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  const grant = store.keys.get(key);
  if (!grant) throw unauthorized(`Invalid API Key provided: ${redact(key)}`);
  const target = stripeAccount ?? grant.accountId;
  const viaPlatform =
    grant.kind === 'secret' && grant.accountId === store.platformAccountId && store.connections.has(target);
  const data = store.account(target);
  if (!data || (target !== grant.accountId && !viaPlatform)) {
    throw new ApiError(
      403,
      {
        type: 'invalid_request_error',
        code: 'account_invalid',
        message: `The provided key '${redact(key)}' does not have access to account '${target}' (or that account does not exist).`,
      },
      false,
    );
  }
  return { grant, data };
}

export function assertAllowed(caller: Caller, resource: string): void {
  if (!caller.grant.deny.has(resource)) return;
  throw new ApiError(
    403,
    {
      type: 'invalid_request_error',
      message: `The provided key does not have the required permissions for this endpoint on account '${caller.data.account.id}'.`,
    },
    false,
  );
}
