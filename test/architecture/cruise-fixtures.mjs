/**
 * Runs dependency-cruiser with one configuration over several fixture roots, in one process:
 * a CLI start costs about a second each, the cruise itself milliseconds. It cruises `src` and
 * `migrations` of each root, as `npm run lint:deps` does for the repository, and reads the
 * configuration the way the CLI does.
 *
 * Usage: node cruise-fixtures.mjs <config> <root>...
 * Prints JSON: { [root]: { errors, violations: [{ rule, from, to }] } }, where errors counts
 * the violations of severity error: the CLI's exit code, which fails CI when not 0.
 */
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const [configFile, ...roots] = process.argv.slice(2);
const options = await extractDepcruiseOptions(configFile);
const results = {};
for (const root of roots) {
  const { output } = await cruise(['src', 'migrations'], { ...options, baseDir: root });
  results[root] = {
    errors: output.summary.error,
    violations: output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })),
  };
}
process.stdout.write(JSON.stringify(results));
