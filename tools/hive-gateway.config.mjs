// Hive Gateway's configuration for `npm run gateway` (hive-gateway -c tools/hive-gateway.config.mjs).
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  supergraph: './supergraph.graphql',
  // The admin operations and the Identity entity need the caller's credentials; the
  // recovery subgraph's rate limits need the client's address (X-Forwarded-For, with the
  // peer this gateway saw appended) and answer only requests with its ROUTER_SECRET.
  propagateHeaders: {
    fromClientToSubgraphs: ({ request, context }) => {
      const peer = context.req?.socket?.remoteAddress;
      const forwarded = request.headers.get('x-forwarded-for');
      return {
        authorization: request.headers.get('authorization'),
        'x-forwarded-for': forwarded && peer ? `${forwarded}, ${peer}` : (forwarded ?? peer),
        'router-authorization': process.env.ROUTER_SECRET,
      };
    },
  },
  // No `reporting` and no `opentelemetry`: nothing leaves the machine. Subgraph errors
  // pass through with their extensions (code, error) as they are; only the gateway's own
  // unexpected errors are masked.
});
