/** Writes schema.graphql from the code (`npm run schema`); `--check` fails when it is stale. */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { EventBus } from './platform/pubsub/event-bus';
import { buildAppSchema, printAppSchema } from './app/schema';

async function main(): Promise<void> {
  const file = path.resolve(__dirname, '../../schema.graphql');
  const sdl = printAppSchema(await buildAppSchema(EventBus.inProcess().asTypeGraphQL()));
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== sdl) {
      process.stderr.write('schema.graphql is stale: run npm run schema\n');
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(file, sdl);
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
