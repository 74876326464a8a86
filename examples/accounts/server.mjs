// The accounts example subgraph: identities' email addresses, kept in memory. Plain
// JavaScript so `npm run gateway` runs it as it is; the tests import startAccountsSubgraph.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

/** The recovery subgraph's embedded demo identity, so the join works against `npm start`. */
export const DEMO_ACCOUNTS = [{ id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', email: 'demo@example.com' }];

/** Serves `accounts` ({ id, email } pairs) on loopback; port 0 picks a free one. */
export async function startAccountsSubgraph({ accounts = DEMO_ACCOUNTS, port = 0, host = '127.0.0.1' } = {}) {
  const emailById = new Map(accounts.map(({ id, email }) => [id, email]));
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs,
      resolvers: {
        Query: {
          identityByEmail: (_source, { email }) => accounts.find((account) => account.email === email) ?? null,
          identities: () => accounts,
        },
        Identity: {
          // The recovery subgraph answers ids in lower case; so do the keys here.
          __resolveReference: ({ id }) => {
            const email = emailById.get(String(id).toLowerCase());
            return email === undefined ? null : { id, email };
          },
        },
      },
    }),
    // No Apollo tracing data in its responses: no gateway here reports it anywhere.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { port, host } });
  return { url, stop: () => server.stop() };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await startAccountsSubgraph({ port: Number(process.env.PORT ?? 4001) });
  console.log(`accounts subgraph ready at ${url}`);
}
