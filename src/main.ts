/** Process entry: load config, start, print the first key if one was made, drain on SIGTERM/SIGINT. */
import { startApp } from './app/app';
import { ConfigError, loadConfig } from './platform/config';
import { createLogger, type Logger } from './platform/logger';

/** The process's logger once the configuration is read; start-up failures are logged through it. */
let logger: Logger | undefined;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = (logger = createLogger(config.logLevel));
  const app = await startApp(config, log);
  if (app.bootstrapSecret) {
    process.stdout.write(
      [
        '',
        '================================================================',
        ' No API key existed, so an ADMIN key was created. It is shown',
        ' once; store it now (only its hash is kept):',
        '',
        `   ${app.bootstrapSecret}`,
        '',
        ` curl -s ${app.url} -H 'content-type: application/json' \\`,
        `   -H 'authorization: Bearer ${app.bootstrapSecret}' \\`,
        `   -d '{"query":"{ me { role } }"}'`,
        '================================================================',
        '',
      ].join('\n') + '\n',
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const hard = setTimeout(() => {
      log.error('shutdown timed out');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000);
    hard.unref();
    app.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err) => {
        log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  (logger ?? createLogger('info')).error('start-up failed', { err });
  process.exit(1);
});
