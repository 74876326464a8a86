// Removes @requiresScopes, @authenticated and @policy from a subgraph's SDL, for gateways
// that cannot enforce them: Apollo Gateway (JS) refuses a supergraph that uses them
// ("feature https://specs.apollo.dev/requiresScopes/v0.1 is for: SECURITY but is
// unsupported"), rightly, rather than skip the checks. The subgraph still enforces its
// own authorization; only the router's early refusal is lost (docs/federation.md).
import { visit } from 'graphql';

const AUTHORIZATION_DIRECTIVES = new Set(['requiresScopes', 'authenticated', 'policy']);

/** The document without the authorization directives, their imports included. */
export function withoutAuthorizationDirectives(typeDefs) {
  return visit(typeDefs, {
    Directive(node) {
      return AUTHORIZATION_DIRECTIVES.has(node.name.value) ? null : undefined;
    },
    StringValue(node, _key, _parent, path) {
      // The entries of @link(import: [...]): "@requiresScopes" and the like.
      return path.includes('arguments') && AUTHORIZATION_DIRECTIVES.has(node.value.replace(/^@/, ''))
        ? null
        : undefined;
    },
  });
}
