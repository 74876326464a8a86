import { once } from 'node:events';
import { createServer } from 'node:http';
import { composeServices } from '@apollo/composition';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { parse } from 'graphql';

/**
 * Hive Gateway in a process of its own (so that its CPU is not the subgraph's), serving
 * the supergraph of the one subgraph at SUBGRAPH_URL, as test/e2e/gateway-support.ts
 * configures it: the caller's Authorization forwarded, nothing reported anywhere.
 */
const subgraphUrl = process.env.SUBGRAPH_URL;
if (subgraphUrl === undefined) throw new Error('SUBGRAPH_URL is required');
const response = await fetch(subgraphUrl, {
  method: 'POST',
  // In production `_service` answers only admins (or the router): the bench's admin key.
  headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.ADMIN_API_KEYS ?? ''}` },
  body: JSON.stringify({ query: '{ _service { sdl } }' }),
});
const { data } = (await response.json()) as { data: { _service: { sdl: string } } };
const composition = composeServices([{ name: 'recovery', url: subgraphUrl, typeDefs: parse(data._service.sdl) }]);
if (composition.errors !== undefined) throw new Error(composition.errors.map(String).join('\n'));
const gateway = createGatewayRuntime({
  supergraph: composition.supergraphSdl,
  logging: false,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  },
});
const server = createServer(gateway);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
await once(server, 'listening');
