import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApolloServerPlugin, GraphQLServerContext } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { hostOfHeader, isLoopbackHost } from '../net/loopback.js';
import type { GraphQLContext } from './context.js';

type LandingPageOptions = Parameters<typeof ApolloServerPluginLandingPageLocalDefault>[0];

/**
 * The Host header of the request Apollo is answering. Apollo's landing page `html` is a
 * function called per request but without the request, so the HTTP layer runs Apollo
 * inside this store and the page reads it back: for a GET only, the one method Apollo
 * answers with a landing page (see withLandingPageHost in src/http/server.ts).
 */
const requestHost = new AsyncLocalStorage<string | undefined>();

export function withRequestHost<T>(host: string | undefined, run: () => T): T {
  return requestHost.run(host, run);
}

/**
 * Apollo Sandbox with the development admin key in its headers only for a request whose
 * Host is a loopback name or address. A page on any other origin that the browser was
 * tricked into calling this server (DNS rebinding: evil.example resolving to 127.0.0.1)
 * sends its own Host, and gets the page without the key.
 *
 * Two configurations of Apollo's own plugin, each rendered once at start through the
 * plugin interface; the per-request choice is the only thing added.
 */
export function sandboxLandingPage(
  options: LandingPageOptions,
  developmentKey: string | null,
): ApolloServerPlugin<GraphQLContext> {
  const keyless = ApolloServerPluginLandingPageLocalDefault(options);
  if (developmentKey === null) return keyless;
  // The union of Apollo's option shapes does not narrow through a spread; headers go with
  // the document-and-variables shape that sandboxExample gives.
  const keyed = ApolloServerPluginLandingPageLocalDefault({
    ...options,
    headers: { Authorization: `Bearer ${developmentKey}` },
  } as LandingPageOptions);
  return {
    async serverWillStart(server) {
      const [withoutKey, withKey] = await Promise.all([renderOnce(keyless, server), renderOnce(keyed, server)]);
      return {
        async renderLandingPage() {
          return {
            html: async () => {
              const host = hostOfHeader(requestHost.getStore());
              return host !== null && isLoopbackHost(host) ? withKey() : withoutKey();
            },
          };
        },
      };
    },
  };
}

async function renderOnce(
  plugin: ApolloServerPlugin<GraphQLContext>,
  server: GraphQLServerContext,
): Promise<() => Promise<string>> {
  const listener = await plugin.serverWillStart?.(server);
  const page = await listener?.renderLandingPage?.();
  if (page === undefined || page === null) throw new Error('the landing page plugin rendered no page');
  const { html } = page;
  return typeof html === 'string' ? async () => html : html;
}
