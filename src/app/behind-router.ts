import type { ApolloServerPlugin } from '@apollo/server';
import type { RouterSection } from '../config/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import { persistedOperationsOnly } from '../graphql/safelist.js';
import { clientAddressResolver } from '../http/client-address.js';
import { loadPersistedDocuments } from '../http/persisted-operations.js';
import { routerSecretCheck } from '../http/router-secret.js';

/**
 * The settings that make the service a subgraph behind a router, wired in one place:
 * client addresses from trusted proxies, the router secret, persisted documents by id
 * and the safelist that router traffic passes (docs/federation.md, "Behind a router").
 */
export function behindRouter(router: RouterSection) {
  const persistedDocuments = loadPersistedDocuments(router.persistedOperationsFile);
  const plugins: ApolloServerPlugin<GraphQLContext>[] = router.persistedOperationsOnly
    ? [persistedOperationsOnly({ documents: persistedDocuments.values() })]
    : [];
  return {
    http: {
      clientAddress: clientAddressResolver(router.trustedProxies),
      routerCheck: router.secret === null ? null : routerSecretCheck(router.secret),
      persistedDocuments,
      persistedOperationsOnly: router.persistedOperationsOnly,
    },
    plugins,
  };
}
