import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  defaultTextMapGetter,
  isSpanContextValid,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { GRAPHQL_PATH, LIVENESS_PATH, METRICS_PATH, READINESS_PATH, RECOVERY_PAGE_PATH } from '../net/paths.js';
import { commandSpans, type CommandListeners } from './command-spans.js';
import type { SamplerName, TracingSettings } from './tracing-settings.js';

/**
 * OpenTelemetry tracing of this service: the HTTP server span (a child of the caller's
 * W3C `traceparent`), a span per GraphQL operation, a span per MongoDB command, and the
 * trace and span ids for log lines and error extensions.
 *
 * Nothing is registered globally: the tracer, the context (AsyncLocalStorage) and the
 * propagators are this object's, so several apps in one process (tests, a gateway with
 * its own OpenTelemetry SDK) never see each other's spans. Off, no SDK is created and
 * every hook is absent rather than a no-op: the request path is the untraced one.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** The HTTP server's request listener, run inside its server span. */
  traceRequests(listener: RequestListener): RequestListener;
  /**
   * For the operation spans (src/graphql/plugins/operation-spans.ts): the tracer and the
   * active context they start in; null when off (no plugin at all).
   */
  readonly operationTracer: OperationTracer | null;
  /** For the MongoDB driver's command monitoring; null when off (no monitoring at all). */
  readonly commandListeners: CommandListeners | null;
  /** pino mixin: `trace_id`, `span_id` and `trace_flags` of the active span; null when off. */
  readonly logFields: (() => object) | null;
  /** The trace id of the active span; undefined when off or outside a trace. */
  traceId(): string | undefined;
  /**
   * The server span of the request a response answers, for answers written outside the
   * request's own context (the drain's timer) as well as inside it; null when off.
   */
  readonly requestTrace: ((response: ServerResponse) => RequestTrace | undefined) | null;
  /** Exports what has ended (tests, before reading a receiver). */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops: after the last request. */
  shutdown(): Promise<void>;
}

export interface OperationTracer {
  readonly tracer: Tracer;
  readonly activeContext: () => Context;
}

/** The ids the HTTP layer writes into its own answers and their log lines. */
export interface RequestTrace {
  readonly traceId: string;
  readonly spanId: string;
}

export const NO_TRACING: Tracing = {
  enabled: false,
  traceRequests: (listener) => listener,
  operationTracer: null,
  commandListeners: null,
  logFields: null,
  traceId: () => undefined,
  requestTrace: null,
  forceFlush: async () => {},
  shutdown: async () => {},
};

/** The paths this service serves: the only ones that become `http.route` and span names. */
const ROUTES: ReadonlySet<string> = new Set([
  GRAPHQL_PATH,
  RECOVERY_PAGE_PATH,
  METRICS_PATH,
  LIVENESS_PATH,
  READINESS_PATH,
]);

/** HTTP methods the conventions name; any other is `_OTHER`, so callers cannot mint span names. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
/** Caller-sent text kept on a span (path, user agent) is cut to this many characters. */
const MAX_ATTRIBUTE_LENGTH = 256;

export function createTracing(settings: TracingSettings | null): Tracing {
  if (settings === null) return NO_TRACING;
  const exporterOptions = { url: settings.tracesUrl, headers: { ...settings.headers } };
  const exporter =
    settings.protocol === 'http/json'
      ? new OTLPJsonTraceExporter(exporterOptions)
      : new OTLPProtobufTraceExporter(exporterOptions);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...settings.resourceAttributes, [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: sampler(settings.sampler.name, settings.sampler.ratio),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer(settings.serviceName);
  const contexts = new AsyncLocalStorageContextManager().enable();
  const active = () => contexts.active();
  const propagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  const none = {};
  // Weak: an entry lives exactly as long as its response object.
  const traceByResponse = new WeakMap<ServerResponse, RequestTrace>();

  function activeSpanContext() {
    const spanContext = trace.getSpan(active())?.spanContext();
    return spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined;
  }

  return {
    enabled: true,
    traceRequests: (listener) => serverSpans(listener, tracer, propagator, contexts, traceByResponse),
    operationTracer: { tracer, activeContext: active },
    commandListeners: commandSpans(tracer, active),
    logFields() {
      const spanContext = activeSpanContext();
      if (spanContext === undefined) return none;
      return {
        trace_id: spanContext.traceId,
        span_id: spanContext.spanId,
        trace_flags: spanContext.traceFlags & TraceFlags.SAMPLED ? '01' : '00',
      };
    },
    traceId: () => activeSpanContext()?.traceId,
    requestTrace: (response) => traceByResponse.get(response),
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      contexts.disable();
    },
  };
}

function serverSpans(
  listener: RequestListener,
  tracer: Tracer,
  propagator: CompositePropagator,
  contexts: AsyncLocalStorageContextManager,
  traceByResponse: WeakMap<ServerResponse, RequestTrace>,
): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const method = KNOWN_METHODS.has(request.method ?? '') ? request.method! : '_OTHER';
    const target = request.url ?? '/';
    const query = target.indexOf('?');
    // Never the query string: the recovery page's carries the token, and GET /graphql's the variables.
    const path = query === -1 ? target : target.slice(0, query);
    const route = ROUTES.has(path) ? path : undefined;
    const userAgent = request.headers['user-agent'];
    const span = tracer.startSpan(
      route === undefined ? method : `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_SCHEME]: 'http',
          [ATTR_URL_PATH]: path.slice(0, MAX_ATTRIBUTE_LENGTH),
          [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
          ...(route === undefined ? {} : { [ATTR_HTTP_ROUTE]: route }),
          ...(request.socket.remoteAddress === undefined
            ? {}
            : {
                [ATTR_NETWORK_PEER_ADDRESS]: request.socket.remoteAddress,
                [ATTR_NETWORK_PEER_PORT]: request.socket.remotePort ?? 0,
              }),
          ...(userAgent === undefined ? {} : { [ATTR_USER_AGENT_ORIGINAL]: userAgent.slice(0, MAX_ATTRIBUTE_LENGTH) }),
        },
      },
      parent,
    );
    const spanContext = span.spanContext();
    // An unsampled span's ids are still the caller's trace: errors and logs name it as the operation's do.
    if (isSpanContextValid(spanContext))
      traceByResponse.set(response, { traceId: spanContext.traceId, spanId: spanContext.spanId });
    response.once('close', () => {
      const status = response.statusCode;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      } else if (!response.writableFinished) {
        // The connection closed before the whole response was sent.
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    contexts.with(trace.setSpan(parent, span), listener, undefined, request, response);
  };
}

function sampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return name satisfies never;
  }
}
