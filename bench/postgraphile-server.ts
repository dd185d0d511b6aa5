/**
 * The PostGraphile 5 server of bench:lists (forked by bench/postgraphile-process.ts): what a
 * team would put on the same PostgreSQL instead of Lineguard. Deployed as its docs say to (the Amber preset,
 * the connection-filter plugin, grafserv on node:http, NODE_ENV=production, no GraphiQL,
 * no watch mode, default pool and planning settings). The only changes are those the
 * bench's queries need to ask for the same rows as Lineguard's API: v5 filters and orders
 * only indexed columns, and hides relations whose foreign key has no index covering all
 * of its columns, so the columns Lineguard filters and sorts on and the trunk -> hosts
 * relation (a composite key whose index covers trunk_id only) are enabled by smart tags,
 * alert events' relations to their customer and rule are declared by smart tags (the
 * table is partitioned and has no foreign keys), and customers get Lineguard's
 * case-insensitive name order.
 */
import './promise-with-resolvers';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { addPgTableOrderBy, jsonPgSmartTags, orderByAscDesc } from 'postgraphile/utils';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';

const FILTER = { tags: { behavior: ['+filterBy'] } };
const ORDER = { tags: { behavior: ['+orderBy'] } };

/** Columns the bench's queries filter or sort on that have no plain index (see the file comment). */
const BENCH_SMART_TAGS = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      customers: { attribute: { name: FILTER, type: FILTER } },
      alert_events: {
        // Partitioned by week, alert_events has no foreign keys (docs/retention.md): its relations are declared.
        tags: { foreignKey: ['(customer_id) references customers (id)', '(definition_id) references alert_definitions (id)'] },
        attribute: { kind: FILTER },
      },
      hosts: {
        attribute: { port: ORDER },
        constraint: { hosts_trunk_owner_fkey: { tags: { behavior: ['+select', '+connection'] } } },
      },
    },
  },
});

/**
 * Lineguard sorts customers by name case-insensitively, on its index (lower(name), id);
 * a PostGraphile team would add the same order (NAME_LOWER_ASC/DESC), served by that index.
 */
const CUSTOMER_NAME_ORDER = addPgTableOrderBy({ schemaName: 'public', tableName: 'customers' }, (build) =>
  orderByAscDesc('NAME_LOWER', (queryBuilder) => ({ fragment: build.sql`lower(${queryBuilder.alias}.name)`, codec: build.dataplanPg.TYPES.text })),
);

async function serve(): Promise<void> {
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
    plugins: [BENCH_SMART_TAGS, CUSTOMER_NAME_ORDER],
    pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'] })],
    grafserv: { graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  await serv.addTo(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = () => {
    server.closeAllConnections();
    server.close();
    void Promise.resolve(pgl.release()).then(() => process.exit(0));
  };
  process.on('message', (m) => {
    if (m === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.send!({ url: `http://127.0.0.1:${port}/graphql` });
}

if (require.main === module) {
  serve().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
