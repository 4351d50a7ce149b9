// The web app: pages for owners (sign-in, onboarding, connections, cases), the emailed approval links, the
// inbound email endpoint and, in development, the local mailbox. Registered by buildApp when deps.web is set.
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { approvalRoutes } from './approvals/routes.js';
import { respondRoutes } from './respond/routes.js';
import { arrangementRoutes } from './arrangements/routes.js';
import { assetRoutes } from './assets/routes.js';
import { createMagicLinks } from './auth/magic-links.js';
import { onboardingRoutes } from './auth/onboarding-routes.js';
import { toleranceRoutes } from './organisation/tolerance-routes.js';
import { paymentSettingsRoutes } from './organisation/payment-routes.js';
import { settingsRoutes } from './organisation/settings-routes.js';
import { teamRoutes } from './organisation/team-routes.js';
import { signInRoutes } from './auth/sign-in-routes.js';
import { caseRoutes } from './cases/case-routes.js';
import { documentRoutes } from './cases/document-routes.js';
import { caseListRoutes } from './cases/list-routes.js';
import { caseExportRoutes } from './cases/export-routes.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { connectionRoutes } from './connections/routes.js';
import type { WebDeps } from './deps.js';
import { htmlErrorHandler } from './errors.js';
import { inboundRoutes } from './mail/inbound-routes.js';
import { mailboxRoutes } from './mail/mailbox-routes.js';
import { csrfPlugin } from './security/csrf.js';
import { sessionPlugin } from './security/session-plugin.js';
import { createSessionStore } from './security/sessions.js';

export type { WebDeps } from './deps.js';

export function webApp(deps: WebDeps) {
  const now = deps.now ?? Date.now;
  const sessions = createSessionStore(deps.db, now);
  const links = createMagicLinks(deps.db, now);
  return async (app: FastifyInstance) => {
    app.setErrorHandler(htmlErrorHandler);
    await app.register(assetRoutes);
    // Machine-to-machine: no cookies, no CSRF; authenticated by its shared secret.
    await app.register(inboundRoutes(deps));

    await app.register(async (pages) => {
      await pages.register(formbody, { bodyLimit: 256 * 1024 });
      await pages.register(sessionPlugin, { settings: deps.settings, store: sessions });
      await pages.register(csrfPlugin, { settings: deps.settings });
      pages.decorateRequest('nowMs', 0);
      pages.decorateRequest('mailboxLink', false);
      const mailbox = deps.settings.mailbox && !deps.settings.production;
      pages.addHook('onRequest', async (req) => {
        req.nowMs = now();
        req.mailboxLink = mailbox;
      });
      await pages.register(signInRoutes(deps, links, sessions));
      await pages.register(onboardingRoutes(deps, sessions));
      await pages.register(approvalRoutes(deps));
      await pages.register(respondRoutes(deps));
      await pages.register(connectionRoutes(deps));
      await pages.register(dashboardRoutes(deps));
      await pages.register(caseListRoutes(deps));
      await pages.register(caseExportRoutes(deps));
      await pages.register(caseRoutes(deps));
      await pages.register(documentRoutes(deps));
      await pages.register(toleranceRoutes(deps));
      await pages.register(paymentSettingsRoutes(deps));
      await pages.register(settingsRoutes(deps));
      await pages.register(teamRoutes(deps, sessions));
      await pages.register(arrangementRoutes(deps));
      if (mailbox) await pages.register(mailboxRoutes(deps));
    });
  };
}
