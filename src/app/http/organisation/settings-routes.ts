// Settings: the business name, the letters' signature, the time zone and holidays business days are counted in,
// and the default windows. New cases take them when they open and open cases are signalled them, so every letter
// drafted and deadline set afterwards uses them; letters already sent and deadlines already set keep what they had,
// and the page says so. The save answers at once: the server passes the Settings on to the open cases in the
// background, and the page says how far that got, from what each case row records.
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createSettingsDelivery,
  settingsDeliveryStatus,
  type SettingsDeliveryStatus,
} from '../../../services/cases/settings-signal.js';
import { organisations } from '../../../services/db/schema.js';
import { userOf } from '../auth/guard.js';
import { fieldErrors, SettingsForm, timeZonesWith, type SettingsValues } from '../auth/organisation-form.js';
import type { WebDeps } from '../deps.js';
import { noticeText } from '../notices.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { requireCsrf } from '../security/csrf.js';

const Body = z.object({
  name: z.string().default(''),
  timeZone: z.string().default(''),
  signature: z.string().default(''),
  holidays: z.string().default(''),
  responseBusinessDays: z.string().default(''),
  balanceDueDays: z.string().default(''),
  _csrf: z.string().optional(),
});

const cases = (n: number) => (n === 1 ? '1 open case' : `${n} open cases`);

/** What the page says of the open cases and the saved Settings; nothing while no case is open. */
export function deliveryText({ open, owed, undeliveredAt, delivering }: SettingsDeliveryStatus): string | undefined {
  if (open === 0) return undefined;
  if (owed === 0)
    return open === 1 ? 'Your open case has these settings.' : `All ${open} open cases have these settings.`;
  const keep = `${owed === 1 ? 'It keeps' : 'They keep'} the earlier settings until then, and nothing is lost.`;
  if (undeliveredAt)
    return `${cases(owed)} ${owed === 1 ? 'gets' : 'get'} these settings when Temporal is reachable again; Shortfall tries every 5 minutes. ${keep}`;
  // Only while a delivery shows it is running: a stopped one (the server closing, a failure, a save by an earlier
  // release) leaves the cases to the sweep.
  if (!delivering)
    return `${cases(owed)} will be sent these settings within 5 minutes, when Shortfall next passes them on. ${keep}`;
  const done = open - owed;
  return `Reaching your ${cases(open)}…${done > 0 ? ` ${done} ${done === 1 ? 'has' : 'have'} these settings so far.` : ''}`;
}

export function settingsRoutes(deps: WebDeps) {
  const form = (
    editable: boolean,
    values: SettingsValues,
    errors: Record<string, string> = {},
    notice?: string | undefined,
    delivery?: string | undefined,
  ) => ({ title: 'Settings', values, errors, timeZones: timeZonesWith(values.timeZone), editable, notice, delivery });

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const delivery = deps.settingsDelivery ?? createSettingsDelivery(deps.db, deps.workflows, { log: root.log });
    if (!deps.settingsDelivery) root.addHook('onClose', () => delivery.close());

    app.get(
      '/settings',
      { schema: { querystring: z.object({ notice: z.string().optional() }) } },
      async (req, reply) => {
        const user = userOf(req);
        const [org] = await deps.db.select().from(organisations).where(eq(organisations.id, user.organisation.id));
        if (!org) throw new PageError(404, 'not_found', 'Organisation not found', 'Sign in again.');
        const values: SettingsValues = {
          name: org.name,
          timeZone: org.timeZone,
          signature: org.signature,
          holidays: org.holidays.join('\n'),
          responseBusinessDays: String(org.responseBusinessDays),
          balanceDueDays: String(org.balanceDueDays),
        };
        const status = deliveryText(await settingsDeliveryStatus(deps.db, org.id));
        return page(
          req,
          reply,
          'settings',
          form(user.role === 'owner', values, {}, noticeText(req.query.notice), status),
        );
      },
    );

    app.post('/settings', { schema: { body: Body }, preHandler: requireCsrf }, async (req, reply) => {
      const user = userOf(req);
      const { _csrf, ...values } = req.body;
      const parsed = SettingsForm.safeParse(values);
      if (!parsed.success) return page(req, reply, 'settings', form(true, values, fieldErrors(parsed.error)), 400);
      const s = parsed.data;
      const [before] = await deps.db.select().from(organisations).where(eq(organisations.id, user.organisation.id));
      // A save that changes nothing letters or deadlines use is no new revision: open cases keep their drafts.
      const changed =
        !before ||
        before.name !== s.name ||
        before.timeZone !== s.timeZone ||
        before.signature !== s.signature ||
        JSON.stringify(before.holidays) !== JSON.stringify(s.holidays) ||
        before.responseBusinessDays !== s.responseBusinessDays ||
        before.balanceDueDays !== s.balanceDueDays;
      await deps.db
        .update(organisations)
        .set({
          name: s.name,
          timeZone: s.timeZone,
          signature: s.signature,
          holidays: s.holidays,
          responseBusinessDays: s.responseBusinessDays,
          balanceDueDays: s.balanceDueDays,
          // A new revision is a new delivery: no case has failed to receive it yet.
          ...(changed && { settingsRevision: sql`${organisations.settingsRevision} + 1`, settingsUndeliveredAt: null }),
          // The delivery below starts now: the page the owner gets back says the cases are being reached.
          settingsDeliveringAt: new Date(),
        })
        .where(eq(organisations.id, user.organisation.id));
      // Committed: the owner gets the page back now, and the server passes the Settings on to the open cases that
      // miss them (after an unchanged save too: saving again is the owner's way to try now). A case it cannot reach
      // keeps its settings until the sweep reaches it.
      void delivery.deliver(user.organisation.id);
      req.log.info({ organisationId: user.organisation.id, changed }, 'settings saved');
      return reply.redirect('/settings?notice=settings_saved', 303);
    });
  };
}
