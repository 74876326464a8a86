import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
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
import { withoutAuthorizationDirectives } from '../../tools/authorization-directives.mjs';
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

export interface GatewayOptions {
  /** Sent to every subgraph in Router-Authorization (the subgraph's ROUTER_SECRET). */
  readonly routerSecret?: string;
  /** The port to listen on; 0 (any free one) unless given. */
  readonly port?: number;
  /** Hive Gateway only: more of its settings, such as plugins. */
  readonly hiveSettings?: Partial<HiveGatewaySettings>;
}

/**
 * Composes the subgraphs as `npm run supergraph` does and serves the supergraph on loopback
 * through a gateway in this process, with the settings docs/federation.md gives for each
 * gateway: the caller's Authorization forwarded, the client address appended to
 * X-Forwarded-For, and the router secret on every subgraph request.
 */
export async function startGateway(
  kind: GatewayKind,
  subgraphs: readonly { name: string; url: string; sdl: string }[],
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  // Apollo Gateway cannot enforce @requiresScopes and refuses a supergraph with it: it gets
  // the composition of `npm run supergraph -- --without-authorization` (the subgraph still checks).
  const typeDefsOf = (sdl: string) =>
    kind === 'Apollo Gateway' ? withoutAuthorizationDirectives(parse(sdl)) : parse(sdl);
  const composition = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: typeDefsOf(sdl) })),
  );
  if (composition.errors !== undefined) throw new Error(composition.errors.map(String).join('\n'));
  const { supergraphSdl } = composition;
  return kind === 'Apollo Gateway'
    ? startApolloGateway(supergraphSdl, options)
    : startHiveGateway(supergraphSdl, options);
}

/** X-Forwarded-For as a proxy passes it on: what it was given, then the peer it saw. */
export function appendHop(forwardedFor: string | null | undefined, peer: string | undefined): string | undefined {
  if (peer === undefined) return forwardedFor ?? undefined;
  return forwardedFor ? `${forwardedFor}, ${peer}` : peer;
}

type HiveGatewaySettings = Parameters<typeof createGatewayRuntime>[0];

interface ApolloGatewayContext {
  readonly authorization?: string;
  readonly forwardedFor?: string;
}

async function startApolloGateway(supergraphSdl: string, options: GatewayOptions): Promise<RunningGateway> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<ApolloGatewayContext>({
        url,
        willSendRequest({ request, context }) {
          const headers = request.http?.headers;
          if (context.authorization) headers?.set('authorization', context.authorization);
          if (context.forwardedFor) headers?.set('x-forwarded-for', context.forwardedFor);
          if (options.routerSecret) headers?.set('router-authorization', options.routerSecret);
        },
      }),
  });
  const server = new ApolloServer<ApolloGatewayContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      const forwarded = req.headers['x-forwarded-for'];
      const forwardedFor = appendHop(
        Array.isArray(forwarded) ? forwarded.join(', ') : forwarded,
        req.socket.remoteAddress,
      );
      return {
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(forwardedFor === undefined ? {} : { forwardedFor }),
      };
    },
  });
  return { url, stop: () => server.stop() };
}

async function startHiveGateway(supergraphSdl: string, options: GatewayOptions): Promise<RunningGateway> {
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, context }) => ({
        authorization: request.headers.get('authorization'),
        // On node:http the server context carries the incoming message, and so the peer.
        'x-forwarded-for': appendHop(
          request.headers.get('x-forwarded-for'),
          (context as { req?: IncomingMessage }).req?.socket.remoteAddress,
        ),
        'router-authorization': options.routerSecret,
      }),
    },
    ...options.hiveSettings,
  } as HiveGatewaySettings);
  const server = createServer(gateway);
  server.listen(options.port ?? 0, '127.0.0.1');
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
