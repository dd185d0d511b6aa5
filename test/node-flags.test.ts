/**
 * The app's Node flags are written in four places that cannot import each other: the
 * Dockerfile's CMD, `npm start`, `npm run bench:scale` and bench/app-node-flags.json (every
 * other bench's app). A bench measures the app as production runs it only while all four
 * agree; and a flag this Node does not take would stop the app at start.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');
const benchFlags = JSON.parse(readFileSync(path.join(root, 'bench/app-node-flags.json'), 'utf8')) as string[];

/** The flags between `node` and the script in a command line. */
function flagsOf(command: string, script: string): string[] {
  const words = command.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf(script));
}

describe('the app node flags', () => {
  it('are the same in the Dockerfile, npm start, bench:scale and the other benches', () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
    const dockerArgs = JSON.parse(cmd![1]) as string[];
    expect(dockerArgs.slice(1, -1)).toEqual(benchFlags);
    expect(flagsOf(scripts.start, 'dist/src/main.js')).toEqual(benchFlags);
    expect(flagsOf(scripts['bench:scale'], 'dist/bench/scale.bench.js')).toEqual(benchFlags);
  });

  it('give this Node a young generation of 32 MiB semi-spaces from the start', () => {
    const out = execFileSync(process.execPath, [
      ...benchFlags,
      '-e',
      "process.stdout.write(String(require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))",
    ]);
    expect(Number(out.toString())).toBe(32 * 1024 * 1024);
  });
});
