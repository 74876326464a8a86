import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { operationsRoute } from '../../src/http/operations-listener.js';
import { createHttpServer, type HttpDependencies } from '../../src/http/server.js';

/**
 * What the HTTP layer does while the service drains: the request Apollo's drain would
 * cut off (here a readiness check that never settles) is answered first, and told to
 * close its connection.
 */
describe('the HTTP server while draining', () => {
  it('answers a request still waiting at the deadline with 503 storage_unavailable and Connection: close', async () => {
    const logger = pino({ level: 'silent' });
    const http = createHttpServer({
      logger,
      maxBodyBytes: 1_000,
      connections: {
        headersTimeoutMilliseconds: 10_000,
        requestTimeoutMilliseconds: 30_000,
        keepAliveTimeoutMilliseconds: 5_000,
        maxConnections: 512,
      },
      traceRequests: (listener) => listener,
      operations: operationsRoute({
        logger,
        checkReadiness: () => new Promise<void>(() => {}),
        metrics: async () => ({ contentType: 'text/plain', body: '' }),
      }),
    } as Partial<HttpDependencies> as HttpDependencies);
    http.server.listen(0, '127.0.0.1');
    await once(http.server, 'listening');
    const { port } = http.server.address() as AddressInfo;
    try {
      const waiting = fetch(`http://127.0.0.1:${port}/health/ready`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      http.drain(50);
      const response = await waiting;
      expect(response.status).toBe(503);
      expect(response.headers.get('connection')).toBe('close');
      expect(response.headers.get('retry-after')).toBe('5');
      const body = (await response.json()) as { errors: [{ extensions: { error: { id: string } } }] };
      expect(body.errors[0].extensions.error.id).toBe('storage_unavailable');
    } finally {
      http.server.closeAllConnections();
      http.server.close();
    }
  });
});
