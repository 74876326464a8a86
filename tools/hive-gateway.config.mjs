// Hive Gateway's configuration for `npm run gateway` (hive-gateway -c tools/hive-gateway.config.mjs).
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  supergraph: './supergraph.graphql',
  // The admin operations and the Identity entity need the caller's credentials.
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  },
  // No `reporting` and no `opentelemetry`: nothing leaves the machine. Subgraph errors
  // pass through with their extensions (code, error) as they are; only the gateway's own
  // unexpected errors are masked.
});
