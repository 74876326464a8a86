import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationsRoute } from '../../src/http/operations-listener.js';
import { createHttpServer, type HttpDependencies } from '../../src/http/server.js';
import { createTracing, type Tracing } from '../../src/observability/tracing.js';
import { capturingLogger } from '../support/app.js';
import { OTLP_KIND, inTrace, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

/**
 * Answers the HTTP layer writes where the request's context is not the active one (the
 * drain's timer) or outside GraphQL's shape (the readiness check): traced, each still names
 * its request's server span.
 */

let receiver: OtlpReceiver;
let tracing: Tracing;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = createTracing({
    serviceName: 'http-trace-test',
    tracesUrl: `${receiver.url}/v1/traces`,
    protocol: 'http/protobuf',
    headers: {},
    resourceAttributes: {},
    sampler: { name: 'parentbased_always_on', ratio: 1 },
  });
});

afterAll(async () => {
  await tracing?.shutdown();
  await receiver?.stop();
});

async function serve(checkReadiness: () => Promise<void>) {
  const { logger, logs } = capturingLogger(tracing.logFields);
  const http = createHttpServer({
    logger,
    maxBodyBytes: 1_000,
    connections: {
      headersTimeoutMilliseconds: 10_000,
      requestTimeoutMilliseconds: 30_000,
      keepAliveTimeoutMilliseconds: 5_000,
      maxConnections: 512,
    },
    traceRequests: tracing.traceRequests,
    requestTrace: tracing.requestTrace,
    operations: operationsRoute({
      logger,
      checkReadiness,
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      requestTrace: tracing.requestTrace,
    }),
  } as Partial<HttpDependencies> as HttpDependencies);
  http.server.listen(0, '127.0.0.1');
  await once(http.server, 'listening');
  const { port } = http.server.address() as AddressInfo;
  return {
    http,
    logs,
    url: `http://127.0.0.1:${port}`,
    close() {
      http.server.closeAllConnections();
      http.server.close();
    },
  };
}

function callerSpan() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function serverSpanOf(traceId: string) {
  await tracing.forceFlush();
  const servers = inTrace(receiver.spans(), traceId).filter((span) => span.kind === OTLP_KIND.server);
  expect(servers).toHaveLength(1);
  return servers[0]!;
}

describe('traced answers outside the request’s context or GraphQL’s shape', () => {
  it('gives the drain’s 503 the trace id of the request it answers, in the body and the log line', async () => {
    const service = await serve(() => new Promise<void>(() => {}));
    try {
      const caller = callerSpan();
      const waiting = fetch(`${service.url}/health/ready`, {
        headers: { traceparent: caller.traceparent, 'x-request-id': 'drained-request' },
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      service.http.drain(50);
      const response = await waiting;
      expect(response.status).toBe(503);
      const body = (await response.json()) as { errors: [{ extensions: { traceId?: string; error: { id: string } } }] };
      expect(body.errors[0].extensions).toMatchObject({
        traceId: caller.traceId,
        error: { id: 'storage_unavailable' },
      });
      const server = await serverSpanOf(caller.traceId);
      expect(server.parentSpanId).toBe(caller.spanId);
      const line = service.logs
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => entry.requestId === 'drained-request' && entry.msg === 'request answered by the HTTP layer');
      expect(line).toMatchObject({ trace_id: caller.traceId, span_id: server.spanId, errorId: 'storage_unavailable' });
    } finally {
      service.close();
    }
  });

  it('puts the trace id beside `status` in a failed readiness check’s body, and in its log line', async () => {
    const service = await serve(() => Promise.reject(new Error('store unreachable')));
    try {
      const caller = callerSpan();
      const response = await fetch(`${service.url}/health/ready`, {
        headers: { traceparent: caller.traceparent, 'x-request-id': 'not-ready' },
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'unavailable', traceId: caller.traceId });
      const server = await serverSpanOf(caller.traceId);
      expect(server).toMatchObject({ parentSpanId: caller.spanId, attributes: { 'http.response.status_code': 503 } });
      const line = service.logs
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => entry.requestId === 'not-ready');
      expect(line).toMatchObject({ msg: 'readiness check failed', trace_id: caller.traceId, span_id: server.spanId });
    } finally {
      service.close();
    }
  });

  it('answers a failed readiness check untraced with its status alone', async () => {
    const { logger } = capturingLogger();
    const route = operationsRoute({
      logger,
      checkReadiness: () => Promise.reject(new Error('store unreachable')),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      requestTrace: null,
    });
    const server = createServer((_request, response) => void route('/health/ready', response, 'untraced'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'unavailable' });
    } finally {
      server.close();
    }
  });
});
