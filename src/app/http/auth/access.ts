// Who may use which route. Every route the app registers must appear in `routeAccess` (or declare
// `config.access` itself): buildApp refuses to start otherwise, so a new route cannot escape the check.
// Role routes are enforced here, after the session is loaded: no session is sent to sign in (a GET) or refused
// (anything else); a role below the route's is refused with 403 before any handler, form or workflow Update runs.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { PageError } from '../page-error.js';
import { requireUser } from './guard.js';

export const roles = ['viewer', 'bookkeeper', 'owner'] as const;
export type Role = (typeof roles)[number];

/**
 * `public`: no signed-in member needed (the route authenticates otherwise: a signed link, a shared secret, a webhook
 * signature, the sign-in flow itself, or it is a static asset or health check). Otherwise the least role needed.
 */
export type Access = 'public' | Role;

export const roleNames: Readonly<Record<Role, string>> = {
  owner: 'Owner',
  bookkeeper: 'Bookkeeper',
  viewer: 'Viewer',
};

/** What each role may do, as the team page explains it. */
export const roleDescriptions: Readonly<Record<Role, string>> = {
  owner:
    'Everything: approves letters, decides on objections, closes cases, changes settings, manages teammates and disconnects accounts.',
  bookkeeper:
    "Works the cases: registers the client's replies, extends deadlines, records payment plans, adds documents, builds evidence packs, connects and syncs accounts. Cannot approve letters, decide, close cases, change settings or manage teammates.",
  viewer: 'Reads cases, invoices, connections and settings. Changes nothing.',
};

const rank: Readonly<Record<Role, number>> = { viewer: 0, bookkeeper: 1, owner: 2 };
export const atLeast = (role: Role, needed: Role) => rank[role] >= rank[needed];
export const isRole = (v: unknown): v is Role => typeof v === 'string' && (roles as readonly string[]).includes(v);

/** Method and URL (as registered, parameters included) → access. HEAD follows GET. */
export const routeAccess: Readonly<Record<string, Access>> = {
  // Health, assets, machine-to-machine endpoints.
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /assets/app.css': 'public',
  'GET /assets/upload.js': 'public',
  'GET /assets/sync-progress.js': 'public',
  'POST /webhooks/:provider': 'public',
  'POST /inbound/email': 'public',
  // Signing in and onboarding (their own session checks).
  'GET /sign-in': 'public',
  'POST /sign-in': 'public',
  'GET /sign-in/verify': 'public',
  'POST /sign-in/verify': 'public',
  'POST /sign-out': 'public',
  'GET /onboarding': 'public',
  'POST /onboarding': 'public',
  // Signed links: the owner's approval link (a signed-in member below owner is refused in the route), the client's
  // response page, a teammate's invitation.
  'GET /approvals/:token': 'public',
  'POST /approvals/:token': 'public',
  'GET /approvals/:token/attachments/:documentId': 'public',
  'GET /respond/:token': 'public',
  'POST /respond/:token': 'public',
  'GET /invitations/:token': 'public',
  'POST /invitations/:token': 'public',
  // The local mailbox (development only, never in production).
  'GET /dev/mailbox': 'public',
  'GET /dev/mailbox/:id': 'public',

  // Reading.
  'GET /': 'viewer',
  'GET /cases': 'viewer',
  'GET /cases/:id': 'viewer',
  'GET /cases.csv': 'viewer',
  'GET /cases/:id/audit.csv': 'viewer',
  'GET /cases/:id/documents/:documentId': 'viewer',
  'GET /invoices': 'viewer',
  'GET /invoices/:connectionId/:invoiceId/arrangement': 'viewer',
  'GET /connections': 'viewer',
  'GET /connections/progress': 'viewer',
  'GET /settings': 'viewer',
  'GET /settings/tolerances': 'viewer',
  'GET /settings/team': 'viewer',
  'GET /settings/payment': 'viewer',

  // Working the cases.
  'POST /cases/:id/objection': 'bookkeeper',
  'POST /cases/:id/deadline': 'bookkeeper',
  'POST /cases/:id/evidence-pack': 'bookkeeper',
  'POST /cases/:id/arrangement': 'bookkeeper',
  'POST /cases/:id/documents': 'bookkeeper',
  'POST /invoices/:connectionId/:invoiceId/arrangement': 'bookkeeper',
  'POST /invoices/:connectionId/:invoiceId/arrangement/remove': 'bookkeeper',
  'GET /oauth/:provider/start': 'bookkeeper',
  'GET /oauth/:provider/callback': 'bookkeeper',
  'GET /connections/choose/:id': 'bookkeeper',
  'POST /connections/choose/:id': 'bookkeeper',
  'POST /connections/choose/:id/cancel': 'bookkeeper',
  'POST /connections/stripe-key': 'bookkeeper',
  'POST /connections/:id/sync': 'bookkeeper',

  // The owner's decisions: letters go out in the owner's name.
  'POST /cases/:id/drafts/:version/decision': 'owner',
  'POST /cases/:id/objection/decision': 'owner',
  'POST /cases/:id/close': 'owner',
  'POST /connections/:id/disconnect': 'owner',
  'POST /connections/sandbox/reset': 'owner',
  'POST /settings': 'owner',
  'POST /settings/tolerances': 'owner',
  'POST /settings/payment': 'owner',
  'POST /settings/team/invitations': 'owner',
  'POST /settings/team/invitations/:jti/revoke': 'owner',
  'POST /settings/team/:userId/role': 'owner',
  'POST /settings/team/:userId/remove': 'owner',
};

/** May this role use the route (as listed in `routeAccess`)? Pages offer only the forms the server will accept. */
export function mayUse(role: Role, method: string, url: string): boolean {
  const access = routeAccess[`${method} ${url}`];
  return access === 'public' || (access !== undefined && atLeast(role, access));
}

export interface RouteRule {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Overrides `routeAccess` for this route. */
    access?: Access;
  }
  interface FastifyInstance {
    /** Every registered route with the access it got (a test walks them). */
    accessRules: RouteRule[];
  }
}

function accessOf(route: RouteOptions, method: string): Access {
  const declared = route.config?.access;
  const access = declared ?? routeAccess[`${method === 'HEAD' ? 'GET' : method} ${route.url}`];
  if (access === undefined)
    throw new Error(
      `${method} ${route.url} has no access rule: add it to routeAccess in src/app/http/auth/access.ts (public, viewer, bookkeeper or owner).`,
    );
  return access;
}

async function enforce(req: FastifyRequest, reply: FastifyReply, needed: Role) {
  const user = req.session?.user;
  if (!user) return requireUser(req, reply);
  if (!atLeast(user.role, needed))
    throw new PageError(
      403,
      'forbidden',
      'Not allowed for your role',
      `You are signed in as a ${roleNames[user.role].toLowerCase()}; this needs ${needed === 'owner' ? 'the owner' : `a ${roleNames[needed].toLowerCase()} or the owner`}. Ask the owner if you need it.`,
    );
}

/** Installs the check on every route registered after it (call before registering any route). */
export function installAccessControl(app: FastifyInstance): void {
  const rules: RouteRule[] = [];
  app.decorate('accessRules', rules);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const accesses = new Set(methods.map((m) => accessOf(route, m)));
    for (const m of methods) rules.push({ method: m, url: route.url, access: accessOf(route, m) });
    if (accesses.size > 1) throw new Error(`${route.url}: one route with several access rules; split it.`);
    const [access] = [...accesses];
    if (access === undefined || access === 'public') return;
    const check = async (req: FastifyRequest, reply: FastifyReply) => enforce(req, reply, access);
    const existing = route.onRequest;
    route.onRequest = existing === undefined ? [check] : [...(Array.isArray(existing) ? existing : [existing]), check];
  });
}
