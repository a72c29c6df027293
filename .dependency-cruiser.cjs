/* global module */
/**
 * The layer table of docs/layers.md, enforced: `npm run lint:deps` (run first by `npm test`) fails
 * on an import circle or on an arrow that points up the table or across it.
 *
 * Every folder (a "room") has one row; a module may import its own room and any room listed
 * BELOW its own, nothing above and nothing beside it. The order is what makes the arrows point
 * down: root -> ways in -> features -> core. Tests, the demo, scripts and the bench sit outside
 * the table and may import anything.
 */

/**
 * Top to bottom. `path` is a regular expression on the module path from the repository root; `lower`
 * names modules inside the room that have a row of their own further down (others may import them
 * from that row's height).
 */
const LAYERS = [
  // root: the one composition root and the two process entries. Nothing imports it.
  { name: 'root', path: '^connector/(app/|main[.]ts$|cli[.]ts$)' },
  // ways in: operator commands, the Zendesk app's API, the queues and their schedulers.
  { name: 'cli', path: '^connector/cli/' },
  { name: 'app-api', path: '^connector/app-api/' },
  { name: 'queue', path: '^queue/' },
  // features: the providers, then what they build on.
  { name: 'zendesk', path: '^connector/zendesk/', lower: '^connector/zendesk/settings.ts' },
  { name: 'salesforce', path: '^salesforce/' },
  { name: 'ops', path: '^connector/ops/' },
  { name: 'http', path: '^connector/http/' },
  { name: 'alerts', path: '^connector/alerts/' },
  { name: 'intake', path: '^connector/intake/' },
  { name: 'reconciliation', path: '^connector/reconciliation/' },
  { name: 'keys', path: '^connector/keys/' },
  { name: 'gdpr', path: '^connector/gdpr/' },
  { name: 'siem', path: '^connector/siem/' },
  { name: 'history', path: '^connector/history/' },
  { name: 'audit', path: '^connector/audit/' },
  { name: 'access', path: '^connector/access/' },
  { name: 'tenants', path: '^connector/tenants/' },
  // A tenant's Zendesk settings are stored in its row: the registry reads them through this module.
  { name: 'zendesk-settings', path: '^connector/zendesk/settings.ts' },
  { name: 'contracts', path: '^connector/contracts/' },
  // core
  { name: 'store', path: '^connector/store/' },
  { name: 'config', path: '^connector/config/' },
  { name: 'model', path: '^connector/model/' },
  { name: 'lib', path: '^connector/lib/' },
];

const OURS = '^(connector|queue|salesforce)/';

/** The modules of a room as an import target: without those that have a lower row of their own. */
const asTarget = (l) => (l.lower ? `(?!${l.lower})${l.path}` : l.path);

/** One rule per room: it may not import a room at its own row or above (other than itself). */
const layerRules = LAYERS.map((layer, index) => {
  const notBelow = LAYERS.slice(0, index + 1).filter((other) => other !== layer);
  return {
    name: `layer-${layer.name}`,
    comment: `${layer.name} imports only the rooms below it in docs/layers.md`,
    severity: 'error',
    from: { path: layer.path },
    to: { path: notBelow.length > 0 ? notBelow.map(asTarget).join('|') : '^$' },
  };
}).filter((rule) => rule.to.path !== '^$');

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import circles (type-only ones included) make the layers meaningless.',
      severity: 'error',
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      comment: 'Every module of connector/, queue/ and salesforce/ belongs to a row of the layer table.',
      severity: 'error',
      from: { path: OURS, pathNot: LAYERS.map((l) => l.path).join('|') },
      to: {},
    },
    {
      name: 'only-our-layers',
      comment:
        'Product code does not import tests, the demo, scripts or the bench (they sit outside the table); ' +
        'the CLI entry starts the demo.',
      severity: 'error',
      from: { path: OURS, pathNot: LAYERS[0].path },
      to: { path: '^(test|demo|scripts|bench|tools|zendesk-app)/' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
