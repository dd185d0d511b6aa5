/**
 * Everything a test starts (servers, server processes, clients, sockets, receivers) is
 * registered here when it starts and closed by the hooks test/setup-disposal.ts installs
 * once for every e2e file: at the end of the test that started it, or at the end of the
 * file when it was started outside a test (beforeAll). So a test cannot leak a server
 * by forgetting an afterAll, and a failing beforeAll still closes what it had started.
 */
type Close = () => unknown;

interface Registry {
  installed: boolean;
  inTest: boolean;
  test: (() => Promise<void>)[];
  file: (() => Promise<void>)[];
}

// On globalThis so the setup file and the test's imports share one registry whatever
// module instance each got (jest gives every test file its own global object).
const KEY = Symbol.for('lineguard.test.disposal');
function registry(): Registry {
  const g = globalThis as { [KEY]?: Registry };
  return (g[KEY] ??= { installed: false, inTest: false, test: [], file: [] });
}

/**
 * Registers `close` for disposal; returns a once-only close the test may also call
 * earlier (e.g. to restart a server), after which the disposal does nothing.
 */
export function disposeLater(close: Close): () => Promise<void> {
  const r = registry();
  if (!r.installed) throw new Error('test/setup-disposal.ts is not installed (jest setupFilesAfterEnv of the e2e project)');
  let done: Promise<void> | undefined;
  const once = () => (done ??= Promise.resolve().then(close).then(() => undefined));
  (r.inTest ? r.test : r.file).push(once);
  return once;
}

/** Closes the scope's resources, newest first (clients before the servers they talk to). */
async function disposeAll(list: (() => Promise<void>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const close of list.splice(0).reverse()) {
    await close().catch((err: unknown) => errors.push(err));
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new AggregateError(errors, `${errors.length} resources failed to close`);
}

/** Installs the hooks; called once per test file by test/setup-disposal.ts. */
export function installDisposal(): void {
  const r = registry();
  r.installed = true;
  beforeEach(() => {
    r.inTest = true;
  });
  afterEach(async () => {
    r.inTest = false;
    await disposeAll(r.test);
  });
  afterAll(() => disposeAll(r.file));
}
