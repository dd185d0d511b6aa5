/** Process entry: load config, start, print the first key if one was made, drain on SIGTERM/SIGINT. */
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

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
  const logger = createLogger(config.logLevel);
  const app = await startApp(config, logger);
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
    logger.info('shutting down', { signal });
    const hard = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000);
    hard.unref();
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'start-up failed', err: { message: err?.message, stack: err?.stack } })}\n`);
  process.exit(1);
});
