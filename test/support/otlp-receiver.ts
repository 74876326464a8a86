import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in OpenTelemetry collector on loopback: it accepts OTLP/HTTP trace exports
 * (POST /v1/traces, protobuf or JSON), keeps every body as sent, and decodes the spans.
 * The protobuf decoder is this file's own (the wire format and the field numbers of
 * opentelemetry-proto's trace.proto), so a test sees what a collector would, not what
 * the exporter meant to send.
 */
export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** Every body received, as sent, with its content type. */
  readonly exports: readonly { readonly contentType: string; readonly body: Buffer }[];
  /** Every span received, decoded. */
  spans(): ReceivedSpan[];
  stop(): Promise<void>;
}

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client (SpanKind + 1, as OTLP numbers them). */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly serviceName: string;
}

export const OTLP_KIND = { internal: 1, server: 2, client: 3 } as const;

export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const exports: { contentType: string; body: Buffer }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        exports.push({ contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      }
      const json = (request.headers['content-type'] ?? '').includes('json');
      response.setHeader('content-type', json ? 'application/json' : 'application/x-protobuf');
      response.end(json ? '{}' : undefined);
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: listening } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${listening}`,
    exports,
    spans: () =>
      exports.flatMap(({ contentType, body }) =>
        contentType.includes('json') ? jsonSpans(JSON.parse(body.toString('utf8'))) : protobufSpans(body),
      ),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The spans with the given trace id. */
export function inTrace(spans: readonly ReceivedSpan[], traceId: string): ReceivedSpan[] {
  return spans.filter((span) => span.traceId === traceId);
}

// --- OTLP/JSON: ids are hex, enums numbers, 64-bit integers strings. ---

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
}
interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: JsonKeyValue[];
  status?: { code?: number };
}
interface JsonExport {
  resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
}

function jsonValue(value: JsonAnyValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.doubleValue ?? '';
}

function jsonAttributes(list: readonly JsonKeyValue[] = []): Record<string, string | number | boolean> {
  return Object.fromEntries(list.map(({ key, value }) => [key, jsonValue(value)]));
}

function jsonSpans(body: JsonExport): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans) => {
    const serviceName = String(jsonAttributes(resourceSpans.resource?.attributes)['service.name'] ?? '');
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: jsonAttributes(span.attributes),
        statusCode: span.status?.code ?? 0,
        serviceName,
      })),
    );
  });
}

// --- OTLP/protobuf: a minimal reader of the wire format. ---

type Field = { number: number; varint?: bigint; bytes?: Buffer; fixed?: Buffer };

function* fields(buffer: Buffer): Generator<Field> {
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const number = key >>> 3;
    switch (key & 7) {
      case 0:
        yield { number, varint: varint() };
        break;
      case 1:
        yield { number, fixed: buffer.subarray(offset, (offset += 8)) };
        break;
      case 2: {
        const length = Number(varint());
        yield { number, bytes: buffer.subarray(offset, (offset += length)) };
        break;
      }
      case 5:
        yield { number, fixed: buffer.subarray(offset, (offset += 4)) };
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${key & 7}`);
    }
  }
}

function protobufValue(buffer: Buffer): string | number | boolean {
  for (const field of fields(buffer)) {
    if (field.number === 1) return field.bytes!.toString('utf8');
    if (field.number === 2) return field.varint !== 0n;
    if (field.number === 3) return Number(BigInt.asIntN(64, field.varint!));
    if (field.number === 4) return field.fixed!.readDoubleLE(0);
  }
  return '';
}

/** KeyValue { string key = 1; AnyValue value = 2; } */
function protobufAttribute(buffer: Buffer): [string, string | number | boolean] {
  let key = '';
  let value: string | number | boolean = '';
  for (const field of fields(buffer)) {
    if (field.number === 1) key = field.bytes!.toString('utf8');
    if (field.number === 2) value = protobufValue(field.bytes!);
  }
  return [key, value];
}

/** Span { trace_id = 1; span_id = 2; parent_span_id = 4; name = 5; kind = 6; attributes = 9; status = 15 } */
function protobufSpan(buffer: Buffer, serviceName: string): ReceivedSpan {
  const span = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, statusCode: 0, serviceName };
  const attributes: Record<string, string | number | boolean> = {};
  for (const field of fields(buffer)) {
    if (field.number === 1) span.traceId = field.bytes!.toString('hex');
    else if (field.number === 2) span.spanId = field.bytes!.toString('hex');
    else if (field.number === 4) span.parentSpanId = field.bytes!.toString('hex');
    else if (field.number === 5) span.name = field.bytes!.toString('utf8');
    else if (field.number === 6) span.kind = Number(field.varint);
    else if (field.number === 9) {
      const [key, value] = protobufAttribute(field.bytes!);
      attributes[key] = value;
    } else if (field.number === 15) {
      // Status { string message = 2; StatusCode code = 3; }
      for (const status of fields(field.bytes!)) if (status.number === 3) span.statusCode = Number(status.varint);
    }
  }
  return { ...span, attributes };
}

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } */
function protobufSpans(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of fields(body)) {
    if (resourceSpans.number !== 1) continue;
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    let serviceName = '';
    const scopes: Buffer[] = [];
    for (const field of fields(resourceSpans.bytes!)) {
      if (field.number === 1) {
        // Resource { repeated KeyValue attributes = 1; }
        for (const attribute of fields(field.bytes!)) {
          if (attribute.number !== 1) continue;
          const [key, value] = protobufAttribute(attribute.bytes!);
          if (key === 'service.name') serviceName = String(value);
        }
      } else if (field.number === 2) scopes.push(field.bytes!);
    }
    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
    for (const scope of scopes)
      for (const field of fields(scope)) if (field.number === 2) spans.push(protobufSpan(field.bytes!, serviceName));
  }
  return spans;
}
