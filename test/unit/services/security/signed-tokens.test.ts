// The one signed-link format: a token opens only for its own purpose, untampered and unexpired.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openToken, sealToken } from '../../../../src/services/security/signed-tokens.js';

const Claims = z.object({ caseId: z.string(), exp: z.number().int() });
const now = Date.parse('2026-12-06T12:00:00Z');
const claims = { caseId: 'c-1', exp: Math.floor(now / 1000) + 60 };

describe('signed tokens', () => {
  it('opens its own token, and refuses one sealed for another purpose, altered, expired or malformed', () => {
    const token = sealToken('s3cret', 'approval.v1', claims);
    expect(openToken('s3cret', 'approval.v1', Claims, token, now)).toEqual({ ok: true, claims });
    expect(openToken('s3cret', 'respond.v1', Claims, token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(openToken('other', 'approval.v1', Claims, token, now)).toMatchObject({ reason: 'bad_signature' });
    const [body, sig] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...claims, caseId: 'c-2' })).toString('base64url')}.${sig}`;
    expect(openToken('s3cret', 'approval.v1', Claims, forged, now)).toMatchObject({ reason: 'bad_signature' });
    expect(openToken('s3cret', 'approval.v1', Claims, token, now + 61_000)).toEqual({
      ok: false,
      reason: 'expired',
      claims,
    });
    expect(openToken('s3cret', 'approval.v1', Claims, `${body}`, now)).toMatchObject({ reason: 'malformed' });
    const wrongShape = sealToken('s3cret', 'approval.v1', { exp: claims.exp });
    expect(openToken('s3cret', 'approval.v1', Claims, wrongShape, now)).toMatchObject({ reason: 'malformed' });
  });
});
