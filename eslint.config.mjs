// ESLint over the TypeScript sources (flat config). Syntax-only rules, no type information:
// tsc already type-checks (`npm run typecheck`), and a type-aware lint would compile the
// project a second time. The import graph is checked by dependency-cruiser (`npm run lint:deps`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'node_modules/**',
      // Written by `npm run codegen`.
      'test/generated/**',
      'web/src/gql/**',
      // Deliberately bad import graphs fed to dependency-cruiser by a test: data, not code.
      'test/architecture/fixtures/**',
    ],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'migrations/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // Dead code is an error (issue 12). tsc's noUnusedLocals/noUnusedParameters say the
      // same at type-check time; this also catches it in editors and in `npm run lint`.
      // Parameters before a used one stay (their position matters), and `_name` marks an
      // unused one on purpose, as tsc's noUnusedParameters allows.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  // The console: React's rules of hooks (a hook called conditionally breaks at run time).
  {
    files: ['web/**/*.tsx', 'web/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
