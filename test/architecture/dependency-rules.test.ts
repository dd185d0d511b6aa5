/**
 * The import rules in .dependency-cruiser.cjs (the ones `npm run lint:deps` runs in CI) fail
 * on the imports they forbid. fixtures/good is a miniature Lineguard (entry point, app,
 * platform, two ordered modules, migrations) that passes; each fixtures/bad/<case> is the good
 * tree with a few files replaced or added, and must fail on exactly the rules named here.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');

/** Each bad fixture and the rules it must break (an empty list: passes). */
const EXPECTED: Record<string, string[]> = {
  'platform-imports-module': ['platform-not-to-modules'],
  'platform-test-imports-module': ['platform-not-to-modules'],
  'platform-imports-app': ['not-to-app'],
  'module-imports-app': ['not-to-app'],
  'upward-module-import': ['module-order-customer'],
  'cycle-in-module': ['no-circular'],
  'type-only-cycle': ['no-circular'],
  'module-not-in-order': ['module-not-in-order'],
  'migration-imports-module': ['migrations-not-to-features'],
  'test-imports-entry-point': ['not-to-entry-points'],
  orphan: ['no-orphans'],
  unresolvable: ['not-to-unresolvable'],
};

interface Violation {
  rule: string;
  from: string;
  to: string;
}
interface Cruise {
  /** Violations of severity error: the CLI's exit code. */
  errors: number;
  violations: Violation[];
}

let work: string;
const results: Record<string, Cruise> = {};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lineguard-deps-'));
  const roots: Record<string, string> = {};
  for (const name of ['good', ...Object.keys(EXPECTED)]) {
    roots[name] = join(work, name);
    cpSync(join(FIXTURES, 'good'), roots[name], { recursive: true });
    if (name !== 'good') cpSync(join(FIXTURES, 'bad', name), roots[name], { recursive: true });
  }
  // dependency-cruiser is ESM only, which jest's CommonJS runtime cannot import: a child runs it.
  const out = execFileSync(
    process.execPath,
    [join(__dirname, 'cruise-fixtures.mjs'), join(ROOT, '.dependency-cruiser.cjs'), ...Object.values(roots)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const byRoot = JSON.parse(out) as Record<string, Cruise>;
  for (const [name, root] of Object.entries(roots)) results[name] = byRoot[root];
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const rulesBroken = (cruise: Cruise) => [...new Set(cruise.violations.map((v) => v.rule))].sort();

describe('import rules (.dependency-cruiser.cjs) over fixture trees', () => {
  it('has an expectation for every bad fixture', () => {
    expect(readdirSync(join(FIXTURES, 'bad')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('passes the good tree: ordered modules, tests importing src/app, platform importing migrations', () => {
    expect(results.good.violations).toEqual([]);
    expect(results.good.errors).toBe(0);
  });

  it.each(Object.entries(EXPECTED))('fails %s on %j', (name, rules) => {
    expect(rulesBroken(results[name])).toEqual(rules);
    expect(results[name].errors).toBe(results[name].violations.length);
  });

  it('names the offending arrow', () => {
    expect(results['platform-imports-module'].violations).toEqual([
      { rule: 'platform-not-to-modules', from: 'src/platform/db.ts', to: 'src/modules/customer/customer.type.ts' },
    ]);
    expect(results['upward-module-import'].violations).toEqual([
      { rule: 'module-order-customer', from: 'src/modules/customer/customer.service.ts', to: 'src/modules/alert/alert.enums.ts' },
    ]);
    expect(results['module-imports-app'].violations).toEqual([
      { rule: 'not-to-app', from: 'src/modules/alert/alert.service.ts', to: 'src/app/app-module.ts' },
    ]);
  });
});
