import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../config/index.js';

export type { ConnectionLimits };

/**
 * Node's defaults let a socket that trickles its body live 300s and one that trickles
 * headers (or says nothing) 60s, each plus up to 30s until the next check, with no cap on
 * their number: a few thousand slow sockets then exhaust the process's file descriptors,
 * and /health/live fails with everything else. The limits (ConnectionLimits) come from
 * the server section of the configuration.
 */

/**
 * Connections past HTTP_MAX_CONNECTIONS that are still accepted, to answer /health/live
 * (and a fast 503 to anything else) instead of leaving a liveness probe to time out and
 * the orchestrator to restart a process that is merely busy. Past the reserve, Node
 * closes new connections as soon as they are accepted.
 */
export const HEALTH_RESERVE_CONNECTIONS = 32;

/** An over-cap connection gets this long to send its request before it is closed. */
const OVER_CAP_GRACE_MILLISECONDS = 1_000;

/** How often Node looks for connections past their timeouts (its default is 30s). */
const CHECK_INTERVAL_MILLISECONDS = 1_000;

/** Options that only createServer takes. */
export function serverOptions(): ServerOptions {
  return { connectionsCheckingInterval: CHECK_INTERVAL_MILLISECONDS };
}

/**
 * Applies the limits to a server and returns whether a socket is one of the over-cap
 * reserve, which the request handler answers with 503 (or liveness) and closes.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): (socket: Socket) => boolean {
  server.headersTimeout = limits.headersTimeoutMilliseconds;
  server.requestTimeout = limits.requestTimeoutMilliseconds;
  server.keepAliveTimeout = limits.keepAliveTimeoutMilliseconds;
  // Node itself destroys connections past this, before any parsing.
  server.maxConnections = limits.maxConnections + HEALTH_RESERVE_CONNECTIONS;
  const overCap = new WeakSet<Socket>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open += 1;
    socket.once('close', () => (open -= 1));
    if (open <= limits.maxConnections) return;
    overCap.add(socket);
    // A slow client must not sit in the reserve: it is there for one quick request.
    const grace = setTimeout(() => socket.destroy(), OVER_CAP_GRACE_MILLISECONDS).unref();
    socket.once('close', () => clearTimeout(grace));
  });
  return (socket) => overCap.has(socket);
}
