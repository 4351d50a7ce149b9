// The layers of ARCHITECTURE.md, enforced: `npm run lint` fails on any import that points up this list, and on any
// cycle between the sub-folders of src/services/ (scripts/check-layers.ts checks those). Bottom to top:
//   src/domain → integrations/, workflows/ → src/services/ → activities/ → src/app/
// Type-only imports count too: a type names the layer it belongs to.
const layer = {
  domain: '^src/domain/',
  integrations: '^integrations/',
  workflows: '^workflows/',
  services: '^src/services/',
  activities: '^activities/',
  app: '^src/app/',
  simulators: '^simulators/',
};

/** `from` may import nothing in `to`. */
const forbid = (name, comment, from, to) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    forbid(
      'domain-is-the-bottom',
      'src/domain holds pure rules and types: it imports nothing of ours outside itself.',
      layer.domain,
      `^(integrations|workflows|activities|simulators)/|^src/(services|app)/`,
    ),
    forbid(
      'integrations-import-the-domain-only',
      'Provider code sits on the domain alone (ARCHITECTURE.md).',
      layer.integrations,
      `^(workflows|activities|simulators)/|^src/(services|app)/`,
    ),
    forbid(
      'workflows-import-the-domain-only',
      'Workflow code is deterministic: the domain and its own activity contracts only.',
      layer.workflows,
      `^(integrations|activities|simulators)/|^src/(services|app)/`,
    ),
    forbid(
      'services-do-not-reach-up',
      'src/services is called by activities and the app, never the other way round.',
      layer.services,
      `^(activities|simulators)/|^src/app/`,
    ),
    forbid(
      'activities-do-not-reach-up',
      'Activities adapt workflow contracts to src/services; the app wires them.',
      layer.activities,
      `^src/app/|^simulators/`,
    ),
    // They may read the providers' published limits (integrations/*/limits.ts, urls.ts: one home for each fact) and
    // the domain's money arithmetic, nothing of Shortfall's behaviour.
    forbid(
      'simulators-stand-alone',
      "The simulators speak the providers' wire formats; they share no behaviour with Shortfall.",
      layer.simulators,
      `^(workflows|activities)/|^src/(services|app)/|^integrations/(?![^/]+/(limits|urls)\\.ts$)`,
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tools|test|bench|scripts|docs|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
