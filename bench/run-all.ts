/** `npm run bench`: every benchmark, one after another. */
import { main as alertBench } from './alert.bench';
import { main as cdrBench } from './cdr.bench';
import { main as listsBench } from './lists.bench';
import { main as fanoutBench } from './fanout.bench';

async function runAll(): Promise<void> {
  await cdrBench();
  // After the CDR bench, which rewrites BENCHMARKS.md; this one replaces only its own section.
  await alertBench();
  await listsBench();
  await fanoutBench();
}

runAll().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
