/** `npm run bench`: every benchmark, one after another. */
import { main as cdrBench } from './cdr.bench';

async function runAll(): Promise<void> {
  await cdrBench();
}

runAll().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
