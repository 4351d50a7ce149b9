// Settings → Team: the owner invites teammates by email (a signed, single-use link that expires in 7 days), gives
// each a role, changes it, or removes them (which ends their sessions at once). The invited person opens the link,
// confirms with one click, and is signed in as a member of the organisation.
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  invitations,
  oauthStates,
  organisations,
  pendingGrants,
  sessions as sessionRows,
  users,
} from '../../../services/db/schema.js';
import { escapeHtml } from '../../../services/letters/index.js';
import { checkInviteToken, INVITE_TTL_MS, issueInviteToken } from '../../../services/security/invite-links.js';
import { roleDescriptions, roleNames, roles, type Role } from '../auth/access.js';
import { userOf } from '../auth/guard.js';
import type { WebDeps } from '../deps.js';
import { noticeText } from '../notices.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { assertCsrf, csrfToken, requireCsrf } from '../security/csrf.js';
import { deriveKey } from '../security/keys.js';
import { startSession } from '../security/session-plugin.js';
import type { SessionStore } from '../security/sessions.js';

export interface TeamPage {
  readonly title: string;
  readonly editable: boolean;
  readonly me: string;
  readonly members: readonly { id: string; email: string; role: Role; joined: Date }[];
  /** The member who is the organisation's only owner: the server refuses to remove or demote them, so nothing offers it. */
  readonly soleOwner?: string | undefined;
  readonly pending: readonly { jti: string; email: string; role: Role; expiresAt: Date; invitedBy: string }[];
  readonly roles: readonly { value: Role; name: string; description: string }[];
  readonly values: { email: string; role: string };
  readonly errors: Readonly<Record<string, string>>;
  readonly notice?: string | undefined;
  readonly failure?: string | undefined;
}

const Email = z.string().trim().toLowerCase().pipe(z.email('Enter an email address like name@example.com.'));
const InviteForm = z.object({
  email: Email,
  role: z.enum(roles, 'Choose a role.'),
});
const InviteBody = z.object({
  email: z.string().default(''),
  role: z.string().default(''),
  _csrf: z.string().optional(),
});
const RoleBody = z.object({ role: z.string().default(''), _csrf: z.string().optional() });
const MemberParams = z.object({ userId: z.uuid() });
const JtiParams = z.object({ jti: z.string().min(16).max(64) });
const TokenParams = z.object({ token: z.string().min(1).max(2048) });

const roleList = roles
  .slice()
  .reverse()
  .map((value) => ({ value, name: roleNames[value], description: roleDescriptions[value] }));

function inviteEmail(org: string, by: string, role: Role, link: string) {
  const what = `${by} invited you to ${org} on Shortfall as a ${roleNames[role].toLowerCase()}`;
  const text = `${what}. ${roleDescriptions[role]}\n\nAccept the invitation with this link. It works once, within 7 days:\n\n${link}\n\nIf you do not expect this, ignore this email: nothing happens without the link.`;
  const html = `<p>${escapeHtml(what)}. ${escapeHtml(roleDescriptions[role])}</p>\n<p>Accept the invitation with this link. It works once, within 7 days:</p>\n<p><a href="${escapeHtml(link)}">Join ${escapeHtml(org)} on Shortfall</a></p>\n<p>If you do not expect this, ignore this email: nothing happens without the link.</p>`;
  return { subject: `You are invited to ${org} on Shortfall`, text, html };
}

const linkGone = (why: string) =>
  new PageError(
    410,
    'invitation_unusable',
    'This invitation no longer works',
    `${why} Ask the owner to invite you again.`,
  );

export function teamRoutes(deps: WebDeps, sessions: SessionStore) {
  const now = deps.now ?? Date.now;
  const secret = deriveKey(deps.settings.appSecret, 'invitation').toString('hex');

  async function teamPage(
    req: FastifyRequest,
    extra: Partial<Pick<TeamPage, 'values' | 'errors' | 'notice' | 'failure'>> = {},
  ): Promise<TeamPage> {
    const user = userOf(req);
    const members = await deps.db
      .select({ id: users.id, email: users.email, role: users.role, joined: users.createdAt })
      .from(users)
      .where(eq(users.organisationId, user.organisation.id))
      .orderBy(asc(users.createdAt));
    const owners = members.filter((m) => m.role === 'owner');
    const pending = await deps.db
      .select({
        jti: invitations.jti,
        email: invitations.email,
        role: invitations.role,
        expiresAt: invitations.expiresAt,
        invitedBy: invitations.invitedBy,
      })
      .from(invitations)
      .where(
        and(
          eq(invitations.organisationId, user.organisation.id),
          isNull(invitations.usedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, new Date(now())),
        ),
      )
      .orderBy(asc(invitations.createdAt));
    return {
      title: 'Team',
      editable: user.role === 'owner',
      me: user.id,
      members: members.map((m) => ({ ...m, role: m.role as Role })),
      soleOwner: owners.length === 1 ? owners[0]!.id : undefined,
      pending: pending.map((p) => ({ ...p, role: p.role as Role })),
      roles: roleList,
      values: { email: '', role: 'bookkeeper' },
      errors: {},
      ...extra,
    };
  }

  /** The member of this organisation, or a 404. */
  async function member(req: FastifyRequest, userId: string) {
    const [row] = await deps.db
      .select()
      .from(users)
      .where(and(eq(users.id, userId), eq(users.organisationId, userOf(req).organisation.id)));
    if (!row)
      throw new PageError(404, 'not_found', 'Teammate not found', 'There is no such teammate in your organisation.');
    return row;
  }

  type Tx = Parameters<Parameters<typeof deps.db.transaction>[0]>[0];
  /**
   * Runs a change to the owners inside one transaction that holds the organisation's team lock: two owners demoting or
   * removing each other at once take turns, and the second sees that it would leave no owner.
   */
  async function withOwners<T>(organisationId: string, change: (tx: Tx, owners: number) => Promise<T>): Promise<T> {
    return deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`shortfall.team.${organisationId}`}))`);
      const rows = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.organisationId, organisationId), eq(users.role, 'owner')));
      return change(tx, rows.length);
    });
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/settings/team',
      { schema: { querystring: z.object({ notice: z.string().optional() }) } },
      async (req, reply) => page(req, reply, 'team', await teamPage(req, { notice: noticeText(req.query.notice) })),
    );

    app.post(
      '/settings/team/invitations',
      { schema: { body: InviteBody }, preHandler: requireCsrf },
      async (req, reply) => {
        const user = userOf(req);
        const values = { email: req.body.email, role: req.body.role };
        const again = async (errors: Record<string, string>) =>
          page(req, reply, 'team', await teamPage(req, { values, errors }), 400);
        const parsed = InviteForm.safeParse(values);
        if (!parsed.success) {
          const errors: Record<string, string> = {};
          for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'email')] ??= i.message;
          return again(errors);
        }
        const { email, role } = parsed.data;
        const [existing] = await deps.db
          .select({ organisationId: users.organisationId })
          .from(users)
          .where(eq(users.email, email));
        if (existing)
          return again({
            email:
              existing.organisationId === user.organisation.id
                ? `${email} is already on your team.`
                : `${email} already uses Shortfall for another organisation. Invite another address of theirs.`,
          });
        const { token, claims } = issueInviteToken(
          secret,
          { organisationId: user.organisation.id, email, role },
          { nowMs: now(), ttlMs: INVITE_TTL_MS },
        );
        await deps.db.insert(invitations).values({
          jti: claims.jti,
          organisationId: user.organisation.id,
          email,
          role,
          invitedBy: user.email,
          expiresAt: new Date(claims.exp * 1000),
        });
        const base = `${deps.settings.publicUrl}/invitations/`;
        try {
          await deps.outbox.send({
            key: `invitation/${claims.jti}`,
            to: email,
            ...inviteEmail(user.organisation.name, user.email, role, `${base}${token}`),
            attachments: [],
            secretLinks: [base],
          });
        } catch (err) {
          // The invitation stays listed; withdrawing it and inviting again sends a new email.
          req.log.error({ err: { message: (err as Error).message } }, 'invitation email not sent');
          throw new PageError(
            503,
            'mail_unavailable',
            'The invitation email could not be sent',
            'Shortfall could not send the email just now. Withdraw the invitation on the Team page and invite again in a minute.',
          );
        }
        req.log.info({ organisationId: user.organisation.id, role, jti: claims.jti }, 'teammate invited');
        return reply.redirect('/settings/team?notice=invitation_sent', 303);
      },
    );

    app.post(
      '/settings/team/invitations/:jti/revoke',
      { schema: { params: JtiParams }, preHandler: requireCsrf },
      async (req, reply) => {
        await deps.db
          .update(invitations)
          .set({ revokedAt: new Date(now()) })
          .where(
            and(
              eq(invitations.jti, req.params.jti),
              eq(invitations.organisationId, userOf(req).organisation.id),
              isNull(invitations.usedAt),
            ),
          );
        return reply.redirect('/settings/team?notice=invitation_revoked', 303);
      },
    );

    app.post(
      '/settings/team/:userId/role',
      { schema: { params: MemberParams, body: RoleBody }, preHandler: requireCsrf },
      async (req, reply) => {
        const user = userOf(req);
        const target = await member(req, req.params.userId);
        const role = z.enum(roles).safeParse(req.body.role);
        if (!role.success)
          return page(req, reply, 'team', await teamPage(req, { failure: 'Choose one of the roles listed.' }), 400);
        const changed = await withOwners(user.organisation.id, async (tx, owners) => {
          const [current] = await tx.select({ role: users.role }).from(users).where(eq(users.id, target.id));
          if (current?.role === 'owner' && role.data !== 'owner' && owners <= 1) return false;
          await tx.update(users).set({ role: role.data }).where(eq(users.id, target.id));
          return true;
        });
        if (!changed)
          return page(
            req,
            reply,
            'team',
            await teamPage(req, { failure: 'The organisation needs an owner: make someone else owner first.' }),
            409,
          );
        req.log.info({ userId: target.id, role: role.data }, 'teammate role changed');
        return reply.redirect('/settings/team?notice=role_changed', 303);
      },
    );

    app.post(
      '/settings/team/:userId/remove',
      { schema: { params: MemberParams }, preHandler: requireCsrf },
      async (req, reply) => {
        const user = userOf(req);
        const target = await member(req, req.params.userId);
        // One transaction: their sessions end with the membership, so no request of theirs sees one without the other.
        const ended = await withOwners(user.organisation.id, async (tx, owners) => {
          const [current] = await tx.select({ role: users.role }).from(users).where(eq(users.id, target.id));
          if (current?.role === 'owner' && owners <= 1) return undefined;
          const gone = await tx
            .delete(sessionRows)
            .where(eq(sessionRows.userId, target.id))
            .returning({ id: sessionRows.id });
          await tx.delete(oauthStates).where(eq(oauthStates.userId, target.id));
          await tx.delete(pendingGrants).where(eq(pendingGrants.userId, target.id));
          await tx.delete(users).where(eq(users.id, target.id));
          return gone.length;
        });
        if (ended === undefined)
          return page(
            req,
            reply,
            'team',
            await teamPage(req, { failure: 'The only owner cannot be removed: make someone else owner first.' }),
            409,
          );
        req.log.info({ userId: target.id, sessionsEnded: ended }, 'teammate removed');
        if (target.id === user.id) return reply.redirect('/sign-in', 303);
        return reply.redirect('/settings/team?notice=member_removed', 303);
      },
    );

    // The invited person's side: look (mail scanners may fetch links; looking uses nothing), then accept.
    async function open(token: string) {
      const check = checkInviteToken(secret, token, now());
      if (!check.ok)
        throw check.reason === 'expired'
          ? linkGone('Invitations work for 7 days.')
          : new PageError(
              400,
              'invitation_invalid',
              'This invitation link is not valid',
              'Check that the whole link was copied.',
            );
      const [row] = await deps.db
        .select({ i: invitations, orgName: organisations.name })
        .from(invitations)
        .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
        .where(eq(invitations.jti, check.claims.jti));
      if (!row) throw linkGone('This invitation was withdrawn.');
      if (row.i.usedAt) throw linkGone('Each invitation link works once, and this one was used.');
      if (row.i.revokedAt) throw linkGone('The owner withdrew this invitation.');
      return { claims: check.claims, orgName: row.orgName, invitedBy: row.i.invitedBy };
    }

    app.get('/invitations/:token', { schema: { params: TokenParams } }, async (req, reply) => {
      const inv = await open(req.params.token);
      return page(req, reply, 'message', {
        title: 'Join your team on Shortfall',
        heading: `Join ${inv.orgName}`,
        message: `${inv.invitedBy} invited ${inv.claims.email} as a ${roleNames[inv.claims.role].toLowerCase()}. ${roleDescriptions[inv.claims.role]}`,
        form: {
          action: `/invitations/${req.params.token}`,
          csrf: csrfToken(req, inv.claims.jti),
          button: `Join ${inv.orgName}`,
        },
      });
    });

    app.post('/invitations/:token', { schema: { params: TokenParams } }, async (req, reply) => {
      const inv = await open(req.params.token);
      assertCsrf(req, inv.claims.jti);
      const { email, role, organisationId, jti } = inv.claims;
      // Claim the link and create the member together: a second click, or a race, finds the link used.
      const outcome = await deps.db
        .transaction(async (tx) => {
          const [claimed] = await tx
            .update(invitations)
            .set({ usedAt: new Date(now()) })
            .where(
              and(
                eq(invitations.jti, jti),
                isNull(invitations.usedAt),
                isNull(invitations.revokedAt),
                gt(invitations.expiresAt, new Date(now())),
              ),
            )
            .returning({ jti: invitations.jti });
          if (!claimed) return { ok: false as const, why: 'Each invitation link works once, and this one was used.' };
          const [created] = await tx
            .insert(users)
            .values({ organisationId, email, role })
            .onConflictDoNothing({ target: users.email })
            .returning({ id: users.id });
          if (created) return { ok: true as const, userId: created.id };
          tx.rollback(); // the address joined an organisation meanwhile: the link stays unused
          return { ok: false as const, why: '' };
        })
        .catch((err: unknown) => {
          if (err instanceof Error && err.constructor.name === 'TransactionRollbackError')
            return { ok: false as const, why: `${email} already uses Shortfall for an organisation.` };
          throw err;
        });
      if (!outcome.ok) throw linkGone(outcome.why);
      await startSession(reply, sessions, deps.settings, email, outcome.userId);
      req.log.info({ userId: outcome.userId, organisationId, role }, 'invitation accepted');
      return reply.redirect('/cases', 303);
    });
  };
}
