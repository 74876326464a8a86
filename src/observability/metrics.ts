import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics, in a registry of this app's own (not prom-client's global one), so
 * that several apps in one process, as in tests, never count into each other.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'operation' | 'outcome'>;
  readonly requestDuration: Histogram<'operation'>;
  readonly linksCreated: Counter;
  readonly linksRedeemed: Counter;
  readonly linkFailures: Counter<'operation' | 'error_id'>;
  readonly storeErrors: Counter;
  /** Requests the HTTP edge refused or lost before GraphQL ran: an error id, or `request_aborted`. */
  readonly clientErrors: Counter<'error_id'>;
  readonly storeCommands: Counter<'command' | 'collection'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL requests by operation (root fields) and outcome (ok or the first error id).',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to sending its response.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    linksCreated: new Counter({
      name: 'recovery_links_created_total',
      help: 'Recovery links created.',
      registers: [registry],
    }),
    linksRedeemed: new Counter({
      name: 'recovery_links_redeemed_total',
      help: 'Recovery links redeemed.',
      registers: [registry],
    }),
    linkFailures: new Counter({
      name: 'recovery_link_failures_total',
      help: 'Refused creations and redemptions, by error id.',
      labelNames: ['operation', 'error_id'],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: 'store_errors_total',
      help: 'Requests that failed because the database was unreachable.',
      registers: [registry],
    }),
    clientErrors: new Counter({
      name: 'http_client_errors_total',
      help: 'Requests refused at the HTTP edge before GraphQL ran, or whose client went away, by error id.',
      labelNames: ['error_id'],
      registers: [registry],
    }),
    storeCommands: new Counter({
      name: 'recovery_store_commands_total',
      help: "Commands sent to MongoDB, by command (as the driver names it) and collection (the store's own, else other).",
      labelNames: ['command', 'collection'],
      registers: [registry],
    }),
  };
}

/**
 * Commands the MongoDB driver sends for this store (countDocuments is `aggregate`,
 * insertMany `insert`). A closed set, so a driver upgrade cannot grow the label values.
 */
const STORE_COMMANDS = new Set([
  'aggregate',
  'count',
  'createIndexes',
  'delete',
  'distinct',
  'drop',
  'dropDatabase',
  'endSessions',
  'find',
  'findAndModify',
  'getMore',
  'hello',
  'insert',
  'isMaster',
  'killCursors',
  'listCollections',
  'listIndexes',
  'ping',
  'update',
]);

/**
 * Counts one driver command into `recovery_store_commands_total`. The collection is the
 * command's target (the value of its first field, or `collection` for getMore), kept only
 * if it is one of `collections`. Only the name and target are read: the command document
 * holds token hashes and identity ids, which must never reach a label or a log.
 */
export function storeCommandCounter(
  metrics: Pick<Metrics, 'storeCommands'>,
  collections: ReadonlySet<string>,
): (commandName: string, command: Readonly<Record<string, unknown>>) => void {
  return (commandName, command) => {
    const target = commandName === 'getMore' ? command.collection : command[commandName];
    metrics.storeCommands.inc({
      command: STORE_COMMANDS.has(commandName) ? commandName : 'other',
      collection: typeof target === 'string' && collections.has(target) ? target : 'other',
    });
  };
}
