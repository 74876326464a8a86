import { SpanKind, SpanStatusCode, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent } from 'mongodb';

/** The MongoDB driver's command monitoring events, as MongoRecoveryStore forwards them. */
export interface CommandListeners {
  started(event: CommandStartedEvent): void;
  succeeded(event: CommandSucceededEvent): void;
  failed(event: CommandFailedEvent): void;
}

/**
 * Spans of commands started and not yet answered. The driver answers or fails every
 * command it starts; the bound is for a driver that one day does not.
 */
const MAX_OPEN_SPANS = 1024;

/**
 * One CLIENT span per MongoDB command, a child of the span active where the store issued
 * it (the request's server span). Named and labelled by the command name and target
 * collection only, with both the current database semantic conventions and the older
 * names many backends still read: the command and reply documents hold token hashes,
 * identity ids and traits, and never reach a span, and neither do error messages (a
 * duplicate key error quotes the key).
 */
export function commandSpans(tracer: Tracer, activeContext: () => Context): CommandListeners {
  const open = new Map<number, Span>();

  function finish(requestId: number): Span | undefined {
    const span = open.get(requestId);
    if (span !== undefined) open.delete(requestId);
    return span;
  }

  return {
    started(event) {
      const { commandName, command } = event;
      const target = commandName === 'getMore' ? command.collection : command[commandName];
      const collection = typeof target === 'string' ? target : undefined;
      const span = tracer.startSpan(
        collection === undefined ? commandName : `${commandName} ${collection}`,
        { kind: SpanKind.CLIENT, attributes: commandAttributes(event, collection) },
        activeContext(),
      );
      // Sampled out: nothing to end later.
      if (!span.isRecording()) return;
      if (open.size >= MAX_OPEN_SPANS) {
        const [oldest] = open.keys();
        finish(oldest!)?.setStatus({ code: SpanStatusCode.ERROR, message: 'no reply seen' }).end();
      }
      open.set(event.requestId, span);
    },
    succeeded(event) {
      finish(event.requestId)?.end();
    },
    failed(event) {
      const span = finish(event.requestId);
      if (span === undefined) return;
      const failure = event.failure as Error & { codeName?: unknown; code?: unknown };
      span.setAttribute('error.type', typeof failure.codeName === 'string' ? failure.codeName : failure.name);
      if (typeof failure.code === 'number') span.setAttribute('db.response.status_code', String(failure.code));
      span.setStatus({ code: SpanStatusCode.ERROR }).end();
    },
  };
}

function commandAttributes(event: CommandStartedEvent, collection: string | undefined) {
  const separator = event.address.lastIndexOf(':');
  const port = Number(event.address.slice(separator + 1));
  return {
    'db.system.name': 'mongodb',
    'db.system': 'mongodb',
    'db.operation.name': event.commandName,
    'db.operation': event.commandName,
    'db.namespace': event.databaseName,
    'db.name': event.databaseName,
    ...(collection === undefined ? {} : { 'db.collection.name': collection, 'db.mongodb.collection': collection }),
    ...(separator === -1 || !Number.isInteger(port)
      ? { 'server.address': event.address }
      : { 'server.address': event.address.slice(0, separator).replace(/^\[|\]$/g, ''), 'server.port': port }),
  };
}
