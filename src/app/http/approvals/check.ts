// Is this approval link still good? In order: our signature, its expiry, its single use, and whether the
// draft it names is still the one waiting (a newer version, or a decision made elsewhere, makes it stale).
import { checkApprovalToken, type ApprovalClaims } from '../../../services/security/approval-links.js';
import type { CaseView, DraftView } from '../../../../workflows/dispute-case/definitions.js';
import { closedStatuses, findCase, isOwner, type CaseRecord } from '../cases/queries.js';
import { liveView } from '../cases/workflow-calls.js';
import type { WebDeps } from '../deps.js';
import { PageError } from '../page-error.js';

export interface OpenApproval {
  readonly claims: ApprovalClaims;
  readonly draft: DraftView;
  readonly record: CaseRecord;
  /** The case as its workflow sees it now: its deadlines and chargeback, which the page states. */
  readonly view: CaseView;
}

const invalid = () =>
  new PageError(
    400,
    'approval_link_invalid',
    'This approval link is not valid',
    'The link is incomplete or was changed. Open it again from the email, or sign in to see the case.',
  );
const expired = () =>
  new PageError(
    410,
    'approval_link_expired',
    'This approval link has expired',
    'Nothing was approved or sent. Sign in to see the case: the draft is waiting there.',
  );
const used = () =>
  new PageError(
    410,
    'approval_link_used',
    'This approval link was already used',
    'Each link works once, and this one has been used. Nothing more was done. Sign in to see what happened on the case.',
  );
const stale = (why: string) =>
  new PageError(409, 'approval_link_stale', 'This draft has changed', `${why} Nothing was done with this link.`);

/** Signature and expiry only: cheap, no database. Used before the CSRF check, whose scope is the jti. */
export function verifiedClaims(deps: Pick<WebDeps, 'settings'>, token: string, nowMs: number): ApprovalClaims {
  const check = checkApprovalToken(deps.settings.appSecret, token, nowMs);
  if (check.ok) return check.claims;
  throw check.reason === 'expired' ? expired() : invalid();
}

export async function openApproval(deps: WebDeps, claims: ApprovalClaims, nowMs: number): Promise<OpenApproval> {
  const row = await deps.approvals.find(claims.jti);
  if (!row || row.caseId !== claims.caseId || row.draftVersion !== claims.version) throw invalid();
  if (row.usedAt) throw used();
  if (row.expiresAt.getTime() <= nowMs) throw expired();
  const [record, live] = await Promise.all([findCase(deps.db, null, claims.caseId), liveView(deps, claims.workflowId)]);
  if (!record || record.workflowId !== claims.workflowId) throw invalid();
  // A link works for the owner it was emailed to, and only while they are one: a teammate removed or no longer an
  // owner cannot decide with a link they kept.
  if (claims.to && !(await isOwner(deps.db, record.organisationId, claims.to)))
    throw new PageError(
      403,
      'approval_link_not_owner',
      'This link is no longer yours to use',
      `It was sent to ${claims.to}, who is no longer an owner of this organisation. Nothing was done. An owner can decide on the draft from the case page.`,
    );
  if (!live.ok)
    throw new PageError(
      503,
      'temporal_unavailable',
      'Temporarily unavailable',
      `${live.message} Nothing was done; open the link again in a minute.`,
    );
  const { view } = live;
  const draft = view.drafts.find((d) => d.version === claims.version);
  const latest = view.drafts[view.drafts.length - 1];
  if (!draft || !latest) throw invalid();
  if (closedStatuses.includes(view.status)) throw stale('The case is closed.');
  if (draft.state === 'withdrawn')
    throw stale(
      `This draft was withdrawn before anyone approved it (${draft.withdrawn?.because ?? 'the case changed'}); ${latest.version !== draft.version ? `version ${latest.version} replaces it: use the link in the newest email.` : 'a new draft follows by email.'}`,
    );
  if (latest.version !== draft.version)
    throw stale(`A newer draft (version ${latest.version}) replaced this one; use the link in the newest email.`);
  if (draft.state !== 'pending')
    throw stale(`This draft was already ${draft.state}${draft.decidedBy ? ` by ${draft.decidedBy}` : ''}.`);
  return { claims, draft, record, view };
}
