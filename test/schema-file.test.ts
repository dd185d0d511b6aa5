import fs from 'node:fs';
import path from 'node:path';
import { EventBus } from '../src/platform/pubsub/event-bus';
import { buildAppSchema, printAppSchema } from '../src/app/schema';

describe('schema.graphql', () => {
  it('is what the code builds (run `npm run schema` after changing types)', async () => {
    const built = printAppSchema(await buildAppSchema(EventBus.inProcess().asTypeGraphQL()));
    const committed = fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(committed).toBe(built);
  });
});
