import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { parse } from 'graphql';
import type { Identity } from '../../src/recovery/index.js';
import { MemoryRecoveryStore, MongoRecoveryStore } from '../../src/stores/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { insertIdentity, openScratchDatabase } from '../support/mongo.js';

/**
 * The recovery subgraph on either store, seeded with identities, for the federation and
 * gateway tests: the embedded store hands out frozen objects and MongoDB converts ids to
 * BSON UUIDs, and each has broken the entity path in its own way before.
 */

export const STORES = ['embedded', 'mongodb'] as const;
export type StoreKind = (typeof STORES)[number];

export interface RecoveryOnStore {
  readonly app: TestApp;
  /** The store class in use, for spying on its queries. */
  readonly storeClass: typeof MemoryRecoveryStore | typeof MongoRecoveryStore;
  stop(): Promise<void>;
}

export async function startRecoveryOn(
  store: StoreKind,
  identities: readonly Identity[],
  environment: Record<string, string> = {},
): Promise<RecoveryOnStore> {
  if (store === 'embedded') {
    const directory = mkdtempSync(join(tmpdir(), 'recovery-identities-'));
    const file = join(directory, 'identities.json');
    writeFileSync(file, JSON.stringify(identities.map(({ id, state, traits }) => ({ id, state, traits }))));
    const app = await startTestApp({ EMBEDDED_IDENTITIES_FILE: file, ...environment });
    return {
      app,
      storeClass: MemoryRecoveryStore,
      async stop() {
        await app.stop();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const database = await openScratchDatabase();
  for (const identity of identities) await insertIdentity(database.db, identity);
  const app = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name, ...environment });
  return {
    app,
    storeClass: MongoRecoveryStore,
    async stop() {
      await app.stop();
      await database.drop();
    },
  };
}

export const GATEWAYS = ['Apollo Gateway', 'Hive Gateway'] as const;
export type GatewayKind = (typeof GATEWAYS)[number];

export interface RunningGateway {
  /** The gateway's GraphQL endpoint. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Composes the subgraphs as `npm run supergraph` does and serves the supergraph on loopback
 * through a gateway in this process, forwarding the caller's Authorization header: the
 * settings the README gives for each gateway.
 */
export async function startGateway(
  kind: GatewayKind,
  subgraphs: readonly { name: string; url: string; sdl: string }[],
  /** Hive Gateway only: more of its settings, such as plugins. */
  hiveSettings: Partial<HiveGatewaySettings> = {},
): Promise<RunningGateway> {
  const composition = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (composition.errors !== undefined) throw new Error(composition.errors.map(String).join('\n'));
  const { supergraphSdl } = composition;
  return kind === 'Apollo Gateway' ? startApolloGateway(supergraphSdl) : startHiveGateway(supergraphSdl, hiveSettings);
}

type HiveGatewaySettings = Parameters<typeof createGatewayRuntime>[0];

interface ApolloGatewayContext {
  readonly authorization?: string;
}

async function startApolloGateway(supergraphSdl: string): Promise<RunningGateway> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<ApolloGatewayContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<ApolloGatewayContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => (req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  });
  return { url, stop: () => server.stop() };
}

async function startHiveGateway(
  supergraphSdl: string,
  settings: Partial<HiveGatewaySettings>,
): Promise<RunningGateway> {
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
    ...settings,
  } as HiveGatewaySettings);
  const server = createServer(gateway);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.dispose();
    },
  };
}
