import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { GraphQLContext } from './context.js';

/**
 * Federated inline traces (`apollo-federation-include-trace: ftv1`), for whom they are safe.
 * Apollo Server turns them on for every subgraph and every caller who asks; their
 * per-resolver timings tell an anonymous caller which check a redemption failed (an
 * unknown flow answers faster than a wrong token). So Apollo's default is disabled and the
 * same plugin runs here behind a check: any caller when `forAnyone`, otherwise only a
 * caller whose Authorization authenticates as an admin (a router forwards its caller's).
 * Errors in traces stay masked, as Apollo's default has them.
 */
export function inlineTraces(options: { readonly forAnyone: boolean }): ApolloServerPlugin<GraphQLContext>[] {
  const tracing = ApolloServerPluginInlineTrace({ includeErrors: { masked: true } });
  return [
    ApolloServerPluginInlineTraceDisabled(),
    {
      async requestDidStart(requestContext) {
        // Only callers asking for a trace pay for the check; the plugin ignores the rest anyway.
        if (requestContext.request.http?.headers.get('apollo-federation-include-trace') !== 'ftv1') return;
        if (!options.forAnyone && !(await authenticatesAsAdmin(requestContext.contextValue))) return;
        return tracing.requestDidStart?.(requestContext);
      },
    },
  ];
}

async function authenticatesAsAdmin(context: GraphQLContext): Promise<boolean> {
  try {
    await context.requireAdmin();
    return true;
  } catch {
    // Unauthenticated, forbidden, or the identity provider unreachable: no trace. The
    // operation itself reports the failure if it needs an admin.
    return false;
  }
}
