import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Typed lint: only the rules a type checker cannot enforce by itself. Formatting is
 * prettier's job (npm run format:check), types are tsc's (npm run typecheck).
 */

/**
 * A relative import of `target` (a folder ending in `/`, or a file) from anywhere under
 * src/; package imports such as `graphql` stay allowed.
 */
const relative = (target) => `^(\\.\\.?/)+(.+/)?${target.replaceAll('.', '\\.')}${target.endsWith('/') ? '' : '$'}`;

/** The layers (docs/development.md): each entry is an arrow that must not exist. */
const forbidden = (from, layers) => ({
  files: [`src/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: layers.map(([layer, regex]) => ({
          regex,
          message: `src/${from}/ must not depend on ${layer}: pass what it needs in from the wiring.`,
        })),
      },
    ],
  },
});

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.bench-build/',
      '.artifacts/',
      'coverage/',
      // Generated from schema.graphql by codegen.ts; `npm run codegen:check` keeps them current.
      'src/graphql/generated/',
      'operations/generated/',
    ],
  },
  {
    files: ['**/*.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection: an unhandled error or a write that races the reply.
      '@typescript-eslint/no-floating-promises': 'error',
      // Outcomes are closed unions; a new member must fail the build wherever it is not handled.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  // The domain knows nothing of transport, storage or configuration: they depend on it.
  forbidden('recovery', [
    ['src/http/', relative('http/')],
    ['src/graphql/', relative('graphql/')],
    ['src/stores/', relative('stores/')],
    ['src/config/', relative('config/')],
  ]),
  // Resolvers reach storage only through the domain (RecoveryService).
  forbidden('graphql', [['src/stores/', relative('stores/')]]),
  // Configuration owns its defaults and its parsing: the modules it configures read it, not
  // the other way round.
  forbidden('config', [
    ['src/graphql/', relative('graphql/')],
    ['src/http/', relative('http/')],
    ['src/stores/', relative('stores/')],
    ['src/app/', relative('app/')],
  ]),
);
