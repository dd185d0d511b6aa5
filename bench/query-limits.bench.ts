/**
 * What the query limits cost per document: graphql-js validation with and without the
 * limit rules on the real heavy queries, each rule alone, and the per-request checks of a
 * 5,000-record submitCdrs (whose variables the rules never read).
 * `npm run build && node dist/bench/query-limits.bench.js`
 */
import 'reflect-metadata';
import { parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { loadConfig } from '../src/platform/config';
import { BENCH_WEBHOOK_SECRET } from './bench-env';
import { EventBus } from '../src/platform/pubsub/event-bus';
import { buildAppSchema } from '../src/app/schema';
import { createOperationGuard } from '../src/platform/graphql/operation-guard';
import { DASHBOARD, NOC_ALERTS, SUBMIT_CDRS } from '../test/security/helpers/attack-queries';

const RULE_NAMES = ['fieldRepeats', 'depth', 'aliases', 'directives', 'cost'];

/** Median microseconds of fn over `rounds` runs after a warm-up. */
function medianUs(fn: () => unknown, rounds = 200): number {
  for (let i = 0; i < 50; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(rounds / 2)]);
}

function row(schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[]): Record<string, number> {
  const out: Record<string, number> = {
    'graphql-js rules': medianUs(() => validate(schema, document, specifiedRules)),
    'with limits': medianUs(() => validate(schema, document, [...specifiedRules, ...rules])),
  };
  rules.forEach((rule, i) => (out[RULE_NAMES[i]] = medianUs(() => validate(schema, document, [rule]))));
  return out;
}

async function main(): Promise<void> {
  const schema = await buildAppSchema(EventBus.inProcess().asTypeGraphQL());
  const guard = createOperationGuard(schema, loadConfig({ NODE_ENV: 'production', WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET }));
  const table: Record<string, Record<string, number>> = {};
  for (const [name, query] of Object.entries({ dashboard: DASHBOARD, 'noc alerts': NOC_ALERTS, submitCdrs: SUBMIT_CDRS })) {
    table[name] = row(schema, parse(query, guard.parseOptions), guard.validationRules);
  }
  console.log('validation, median microseconds per document');
  console.table(table);

  const cdrs = Array.from({ length: 5_000 }, (_, i) => ({ callId: `b-${i}`, customerId: 'x', callee: '49301', startedAt: new Date().toISOString(), duration: 60, disposition: 'ANSWERED', charge: '0.01' }));
  const document = parse(SUBMIT_CDRS, guard.parseOptions);
  const principal = { role: 'INGEST', apiKeyId: 'k', customerId: null } as never;
  console.log('submitCdrs of 5,000 records, median microseconds:', {
    'per-request checks (variables present, never read)': medianUs(() => guard.check({ document, variables: { cdrs }, principal })),
    'full WS prepare (parse + limits + graphql-js rules + checks)': medianUs(() => guard.prepare({ query: SUBMIT_CDRS, variables: { cdrs } }, principal), 50),
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
