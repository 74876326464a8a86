import { Writable } from 'node:stream';
import { print } from 'graphql';
import { pino, type Logger } from 'pino';
import {
  CreateRecoveryCodeDocument,
  CreateRecoveryLinkDocument,
  RedeemRecoveryCodeDocument,
  RedeemRecoveryLinkDocument,
  RevokeRecoveryLinksDocument,
} from '../../operations/generated/graphql.js';
import { startApp, type RunningApp } from '../../src/app/app.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { createTracing, type Tracing } from '../../src/observability/tracing.js';
import { openStore } from '../../src/stores/index.js';
import { recordingStoreCalls } from './store-calls.js';

export interface TestApp extends RunningApp {
  readonly config: Config;
  /** Every log line the app wrote, as JSON text. */
  readonly logs: string[];
  /** The names of the store methods the app called, in order (the sweeper's aside). */
  readonly storeCalls: string[];
  /** On when the environment sets an OTLP endpoint, as in production. */
  readonly tracing: Tracing;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  graphql(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse>;
}

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: string[]; extensions: { code: string; error: Record<string, any> } }[];
  };
}

export const TEST_TOKEN_SECRET = 'test-secret-that-is-at-least-32-characters';
export const TEST_ADMIN_KEY = 'test-admin-api-key-of-at-least-32-characters';

/** Starts the real app in this process on a free port, configured as by environment variables. */
export async function startTestApp(environment: Record<string, string>): Promise<TestApp> {
  const parsed = parseConfig({
    PORT: '0',
    RECOVERY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    ADMIN_API_KEYS: TEST_ADMIN_KEY,
    // Generous: tests create many links per identity; the limits have tests of their own.
    RECOVERY_LINK_RATE_LIMIT: '1000/1h',
    REDEEM_RATE_LIMIT: '1000/1m',
    ...environment,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  // Wired as main.ts wires it: the logger and the store get the tracing too.
  const tracing = createTracing(parsed.config.telemetry.tracing);
  const { logger, logs } = capturingLogger(tracing.logFields);
  const { store, calls: storeCalls } = recordingStoreCalls(
    await openStore(parsed.config.store, parsed.config.retention, logger, undefined, tracing),
  );
  const app = await startApp(parsed.config, store, logger, undefined, tracing);

  // Requests are an admin's unless the test overrides `authorization` (or deletes it with '').
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: withoutEmpty({
        'content-type': 'application/json',
        authorization: `Bearer ${TEST_ADMIN_KEY}`,
        ...headers,
      }),
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  return {
    ...app,
    config: parsed.config,
    logs,
    storeCalls,
    tracing,
    post,
    async graphql(query, variables, headers) {
      const response = await post({ query, variables }, headers);
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLResponse['body'],
      };
    },
    async stop() {
      await app.stop();
      await store.close();
      await tracing.shutdown();
    },
  };
}

/**
 * A debug-level logger whose lines (JSON text) collect in `logs`, for tests to read; with
 * the trace fields of a tracing that is on, as createLogger adds them.
 */
export function capturingLogger(traceFields: (() => object) | null = null): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug', ...(traceFields === null ? {} : { mixin: traceFields }) },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, logs };
}

/**
 * The operations frontends send, from operations/*.graphql (the typed documents codegen
 * generates), as the text a client posts: the same bodies as the persisted manifest's.
 */
export const CREATE_RECOVERY_LINK = print(CreateRecoveryLinkDocument);
export const REDEEM_RECOVERY_LINK = print(RedeemRecoveryLinkDocument);
export const REVOKE_RECOVERY_LINKS = print(RevokeRecoveryLinksDocument);
export const CREATE_RECOVERY_CODE = print(CreateRecoveryCodeDocument);
export const REDEEM_RECOVERY_CODE = print(RedeemRecoveryCodeDocument);

/** The body of a request the HTTP edge rejected before GraphQL ran. */
export async function errorBody(
  response: Response,
): Promise<{ errors: [{ message: string; extensions: { code: string; error: Record<string, any> } }] }> {
  return (await response.json()) as never;
}

/** The flow and token of a recovery link, as the recovery page reads them. */
export function linkParameters(recoveryLink: string): { flow: string; token: string } {
  const url = new URL(recoveryLink);
  return { flow: url.searchParams.get('flow') ?? '', token: url.searchParams.get('token') ?? '' };
}

function withoutEmpty(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
}
