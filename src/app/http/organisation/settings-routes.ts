// Settings: the business name, the letters' signature, the time zone and holidays business days are counted in,
// and the default windows. New cases take them when they open and open cases are signalled them, so every letter
// drafted and deadline set afterwards uses them; letters already sent and deadlines already set keep what they had,
// and the page says so.
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signalSettingsToOpenCases } from '../../../services/cases/settings-signal.js';
import { organisations } from '../../../services/db/schema.js';
import { userOf } from '../auth/guard.js';
import { fieldErrors, SettingsForm, timeZones, type SettingsValues } from '../auth/organisation-form.js';
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

export function settingsRoutes(deps: WebDeps) {
  const form = (
    editable: boolean,
    values: SettingsValues,
    errors: Record<string, string> = {},
    notice?: string | undefined,
  ) => ({ title: 'Settings', values, errors, timeZones, editable, notice });

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

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
        return page(req, reply, 'settings', form(user.role === 'owner', values, {}, noticeText(req.query.notice)));
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
          ...(changed && { settingsRevision: sql`${organisations.settingsRevision} + 1` }),
        })
        .where(eq(organisations.id, user.organisation.id));
      // Saved first: a case that cannot be reached now keeps its settings, and saving again passes them on.
      const cases = await signalSettingsToOpenCases(deps.db, deps.workflows, user.organisation.id, { log: req.log });
      req.log.info({ organisationId: user.organisation.id, ...cases }, 'settings saved');
      const notice = cases.failed > 0 ? 'settings_saved_unreached' : 'settings_saved';
      return reply.redirect(`/settings?notice=${notice}`, 303);
    });
  };
}
