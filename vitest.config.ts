import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build (it has no "exports" map); Vite would pick its
    // .mjs build for our files while dependencies get the CommonJS one, and graphql
    // refuses to mix the two. Pointing both at the CommonJS build matches production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Starts (or finds) the real MongoDB wire-protocol server the store and e2e tests use.
    globalSetup: ['test/support/global-setup.ts'],
    // Tests reach nothing beyond loopback: @apollo/gateway otherwise starts an
    // OpenTelemetry exporter that probes cloud metadata services and Apollo's endpoint.
    env: { APOLLO_TELEMETRY_DISABLED: 'true' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
