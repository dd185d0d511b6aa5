/**
 * Two lanes. `unit`: the pure tests beside the code (src/), the schema file check and the
 * import rules over their fixtures (test/architecture); no
 * PostgreSQL, no Redis, so no global setup (`npm run test:unit` runs them on a bare
 * machine). `e2e`: everything under test/ that talks to real services; its global setup
 * probes Redis and starts the embedded PostgreSQL when DATABASE_URL is unset.
 * `npm test` runs both.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['reflect-metadata'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/web/src'],
      testMatch: [
        '<rootDir>/src/**/*.test.ts',
        // The console's pure state (board ordering, replays), without a browser.
        '<rootDir>/web/src/**/*.test.ts',
        '<rootDir>/test/schema-file.test.ts',
        '<rootDir>/test/node-flags.test.ts',
        '<rootDir>/test/architecture/dependency-rules.test.ts',
      ],
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The unit lane's files under test/, and the import-rule fixtures (data, not tests).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/schema-file.test.ts', '<rootDir>/test/node-flags.test.ts', '<rootDir>/test/architecture/'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup-disposal.ts'],
    },
  ],
};
