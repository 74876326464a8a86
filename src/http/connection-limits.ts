import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What one client connection may hold, and how many there may be. Node's defaults let a
 * socket that trickles its body live 300s and one that trickles headers (or says nothing)
 * 60s, each plus up to 30s until the next check, with no cap on their number: a few
 * thousand slow sockets then exhaust the process's file descriptors, and /health/live
 * fails with everything else.
 */
export interface ConnectionLimits {
  /** From accepting a connection (or the end of the previous request) to the end of the headers. */
  readonly headersTimeoutMilliseconds: number;
  /** From accepting a connection to the end of the request body. */
  readonly requestTimeoutMilliseconds: number;
  /** How long an idle keep-alive connection is kept between requests. */
  readonly keepAliveTimeoutMilliseconds: number;
  /** Connections served as usual; the next HEALTH_RESERVE ones only answer /health/live. */
  readonly maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS = {
  headersTimeout: '10s',
  requestTimeout: '30s',
  keepAliveTimeout: '5s',
  /** Well under the common 1,024 file descriptors, with room for the reserve and the database pool. */
  maxConnections: 512,
} as const;

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
