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

/**
 * The layers (docs/development.md): each entry is an arrow that must not exist, from the
 * folder `from` (or, for `src/*.ts`, the files at the top of src/). One entry per folder:
 * ESLint keeps only the last options of a rule for a file, so a folder's arrows are listed
 * together rather than in several blocks.
 */
const forbidden = (from, layers) => ({
  files: [from === '*.ts' ? 'src/*.ts' : `src/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: layers.map(([layer, regex]) => ({
          regex,
          message: `src/${from === '*.ts' ? '' : `${from}/`} must not depend on ${layer}: pass what it needs in from the wiring.`,
        })),
      },
    ],
  },
});

/** Nothing imports the wiring (src/app/); it imports everything. */
const APP = ['src/app/', relative('app/')];
const HTTP = ['src/http/', relative('http/')];
const GRAPHQL = ['src/graphql/', relative('graphql/')];
const STORES = ['src/stores/', relative('stores/')];
const CONFIG = ['src/config/', relative('config/')];

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
    HTTP,
    GRAPHQL,
    STORES,
    CONFIG,
    // The errors layer names the domain's refusals (returnTo); the domain returns outcomes, not errors.
    ['src/errors/', relative('errors/')],
    APP,
  ]),
  // The bottom layer both transports share: the error ids, their answer shape and HTTP rule.
  forbidden('errors', [['anything of src/ but the domain (src/recovery/)', '^\\.\\./(?!recovery/)']]),
  // Host checks that the GraphQL landing page, the settings checks and the wiring share.
  forbidden('net', [['anything of src/', '^\\.\\./']]),
  // Resolvers reach storage only through the domain (RecoveryService); GraphQL and HTTP
  // share errors and request labels through src/errors/, not through each other.
  forbidden('graphql', [STORES, HTTP, APP]),
  // The HTTP front runs Apollo over whatever context the wiring builds (createHttpServer<Context>).
  forbidden('http', [GRAPHQL, APP]),
  // Metrics, log lines and tracing know nothing of GraphQL's wiring: its plugins are in src/graphql/plugins/.
  forbidden('observability', [GRAPHQL, HTTP, APP]),
  forbidden('auth', [APP]),
  forbidden('stores', [APP]),
  forbidden('*.ts', [APP]),
  // Configuration owns its defaults and its parsing: the modules it configures read it, not
  // the other way round.
  forbidden('config', [GRAPHQL, HTTP, STORES, APP]),
);
