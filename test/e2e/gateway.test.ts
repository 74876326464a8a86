import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../stores/recovery-store-contract.js';
import { TEST_ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * A real supergraph on loopback: @apollo/gateway composing this service with a small
 * subgraph that owns Identity.email, forwarding the caller's Authorization header.
 */
interface GatewayContext {
  readonly authorization?: string;
}

const identity = identityFixture();
const EMAIL = 'ada@example.com';
let database: ScratchDatabase;
let recovery: TestApp;
const servers: ApolloServer<any>[] = [];
let gatewayUrl: string;

beforeAll(async () => {
  database = await openScratchDatabase();
  await insertIdentity(database.db, identity);
  recovery = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name });

  const emails = new Map([[identity.id, EMAIL]]);
  const emailSubgraph = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(readFileSync(new URL('../../examples/accounts/schema.graphql', import.meta.url), 'utf8')),
      resolvers: {
        Query: {
          identityByEmail: (_: unknown, { email }: { email: string }) => ({
            id: [...emails].find(([, e]) => e === email)?.[0],
            email,
          }),
        },
        Identity: { __resolveReference: ({ id }: { id: string }) => ({ id, email: emails.get(id) }) },
      },
    }),
  });
  servers.push(emailSubgraph);
  const { url: emailUrl } = await startStandaloneServer(emailSubgraph, { listen: { port: 0, host: '127.0.0.1' } });

  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: [
        { name: 'recovery', url: `${recovery.url}/graphql` },
        { name: 'email', url: emailUrl },
      ],
    }),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway });
  servers.push(server);
  ({ url: gatewayUrl } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    }),
  }));
});

afterAll(async () => {
  for (const server of servers.reverse()) await server.stop();
  await recovery?.stop();
  await database?.drop();
});

async function throughGateway(query: string, variables: Record<string, unknown>, authorization?: string) {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

describe('a supergraph through @apollo/gateway', () => {
  it('runs createRecoveryLink with the Authorization header forwarded to the subgraph', async () => {
    const mutation =
      'mutation($input: CreateRecoveryLinkInput!) { createRecoveryLink(input: $input) { expiresAt recoveryLink } }';
    const created = await throughGateway(mutation, { input: { identityId: identity.id } }, `Bearer ${TEST_ADMIN_KEY}`);
    expect(created.errors).toBeUndefined();
    expect(created.data.createRecoveryLink.recoveryLink).toContain('flow=');
    const anonymous = await throughGateway(mutation, { input: { identityId: identity.id } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('joins Identity fields from both subgraphs in one query', async () => {
    const { data, errors } = await throughGateway(
      'query($email: String!) { identityByEmail(email: $email) { id email state traits } }',
      { email: EMAIL },
      `Bearer ${TEST_ADMIN_KEY}`,
    );
    expect(errors).toBeUndefined();
    expect(data.identityByEmail).toEqual({ id: identity.id, email: EMAIL, state: 'ACTIVE', traits: identity.traits });
  });
});
