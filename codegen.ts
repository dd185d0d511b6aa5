/**
 * Typed clients from the committed schema: `npm run codegen` writes typed documents for
 * every operation in test/operations (the e2e tests use them) and for the NOC console's
 * operations (web/src, written with its generated `graphql()` function). Other frontends
 * add an entry of their own the same way.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'test/generated/': {
      documents: ['test/operations/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Decimal: 'string', DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
    // The console sends documents as strings (no graphql-js in the browser bundle).
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        scalars: { Decimal: 'string', DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
  silent: true,
};

export default config;
