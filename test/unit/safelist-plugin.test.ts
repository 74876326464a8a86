import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { VerdictCache, persistedOperationsOnly } from '../../src/graphql/safelist.js';

/** The safelist plugin in Apollo's own pipeline, with a cache the test can read. */
const ALLOWED = 'query Allowed { __typename }';

async function serverWith(cache: VerdictCache) {
  const server = new ApolloServer<GraphQLContext>({
    schema: buildSchema(),
    plugins: [persistedOperationsOnly({ documents: [ALLOWED], cache })],
  });
  await server.start();
  return server;
}

const context = (viaRouter = false) => ({ contextValue: { viaRouter } as GraphQLContext });

describe('the safelist plugin', () => {
  it('keeps its verdict cache within its byte bound across many distinct large documents', async () => {
    const maxBytes = 16 * 1024;
    const cache = new VerdictCache(maxBytes);
    const server = await serverWith(cache);
    try {
      for (let i = 0; i < 300; i++) {
        // Distinct 100 kB documents: the same allowed operation under a different comment.
        const query = `# ${i} ${'x'.repeat(100_000)}\n${ALLOWED}`;
        const response = await server.executeOperation({ query }, context());
        expect(response.body.kind === 'single' && response.body.singleResult.errors).toBeUndefined();
        expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
      }
      expect(cache.bytes).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it('refuses any other document with operation_not_allowed, except for the router', async () => {
    const server = await serverWith(new VerdictCache(1024 * 1024));
    try {
      const refused = await server.executeOperation({ query: '{ __typename }' }, context());
      expect(refused.http.status).toBe(400);
      expect(refused.body.kind === 'single' && refused.body.singleResult.errors?.[0]?.message).toBe(
        'Only the persisted operations of this service may run here.',
      );
      const routed = await server.executeOperation({ query: '{ __typename }' }, context(true));
      expect(routed.body.kind === 'single' && routed.body.singleResult.data).toEqual({ __typename: 'Query' });
    } finally {
      await server.stop();
    }
  });
});
