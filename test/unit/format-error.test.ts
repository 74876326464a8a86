import { Writable } from 'node:stream';
import { GraphQLError, graphql, type GraphQLFormattedError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter } from '../../src/graphql/format-error.js';
import { activeLinkCountLoader, identityLoader } from '../../src/graphql/identity-loader.js';
import { buildSchema } from '../../src/graphql/schema.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { ServiceError } from '../../src/errors/index.js';
import { testRecoveryService } from '../support/service.js';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function formatter(debugErrors = false) {
  const { logger, lines } = capturingLogger();
  return { format: createErrorFormatter({ debugErrors, logger, requestId: () => 'req-1' }), lines };
}

const schema = buildSchema();
const recovery = testRecoveryService();

async function errorsOf(source: string, variableValues?: Record<string, unknown>): Promise<GraphQLFormattedError[]> {
  const contextValue: GraphQLContext = {
    requestId: 'req-1',
    clientAddress: null,
    viaRouter: false,
    recovery,
    requireAdmin: async () => ({ kind: 'api_key', keyId: 'key_test' }),
    identities: identityLoader(recovery),
    activeLinkCounts: activeLinkCountLoader(recovery),
  };
  const result = await graphql({ schema, source, variableValues, contextValue });
  const { format } = formatter();
  return (result.errors ?? []).map((error) => format(error.toJSON(), error));
}

const CREATE = 'mutation($input: CreateRecoveryLinkInput!) { createRecoveryLink(input: $input) { recoveryLink } }';

describe('the GraphQL error boundary', () => {
  it('turns a resolver ServiceError into errorGeneric with the Apollo code of its status', async () => {
    const [error] = await errorsOf(CREATE, { input: { identityId: '3FA85F64-5717-4562-B3FC-2C963F66AFA6' } });
    expect(error).toEqual({
      message: 'Identity with ID 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist.',
      locations: [{ line: 1, column: 46 }],
      path: ['createRecoveryLink'],
      extensions: {
        code: 'NOT_FOUND',
        error: {
          code: 404,
          status: 'Not Found',
          id: 'identity_not_found',
          message: 'The resource could not be found',
          reason: 'Identity with ID 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist.',
          request: 'req-1',
          details: { identityId: '3fa85f64-5717-4562-b3fc-2c963f66afa6' },
        },
      },
    });
  });

  it('names the variable field and value when a Duration fails coercion', async () => {
    const [error] = await errorsOf(CREATE, {
      input: { identityId: '3fa85f64-5717-4562-b3fc-2c963f66afa6', expiresIn: '10d' },
    });
    expect(error?.extensions?.error).toMatchObject({
      code: 400,
      id: 'invalid_duration',
      reason: 'input.expiresIn: "10d" is not a duration: unknown unit "d" (use ns, us, ms, s, m or h)',
      details: { field: 'input.expiresIn', value: '10d' },
    });
  });

  it('names the variable when a UUID variable fails coercion', async () => {
    const [error] = await errorsOf('query($id: UUID!) { identity(id: $id) { id } }', { id: 42 });
    expect(error?.extensions?.error).toMatchObject({ id: 'invalid_uuid', details: { field: 'id', value: 42 } });
  });

  it('keeps Apollo-style codes for parse and validation failures', async () => {
    const { format } = formatter();
    const parse = format(
      { message: 'Syntax Error: Expected Name', extensions: { code: 'GRAPHQL_PARSE_FAILED' } },
      new GraphQLError('Syntax Error: Expected Name'),
    );
    expect(parse.extensions).toMatchObject({
      code: 'GRAPHQL_PARSE_FAILED',
      error: { code: 400, id: 'graphql_parse_failed', reason: 'Syntax Error: Expected Name' },
    });
    const validation = format(
      { message: 'Cannot query field "nothing" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      new GraphQLError('Cannot query field'),
    );
    expect(validation.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      error: { code: 400, status: 'Bad Request', id: 'graphql_validation_failed' },
    });
  });

  it('masks unexpected errors, logs them with the request id, and adds debug only when enabled', () => {
    const driverError = new GraphQLError('unexpected', {
      originalError: new Error('connection 7 to 10.0.0.3:27017 closed'),
      path: ['createRecoveryLink'],
    });
    const { format, lines } = formatter(false);
    const masked = format(
      { message: 'connection 7 to 10.0.0.3:27017 closed', path: ['createRecoveryLink'] },
      driverError,
    );
    expect(JSON.stringify(masked)).not.toContain('10.0.0.3');
    expect(masked.extensions).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      error: { code: 500, id: 'internal_server_error', request: 'req-1' },
    });
    expect(masked.extensions?.error).not.toHaveProperty('debug');
    expect(lines.join('')).toContain('10.0.0.3');
    expect(lines.join('')).toContain('req-1');

    const debugging = formatter(true).format({ message: 'x' }, driverError);
    expect(debugging.extensions?.error).toMatchObject({ debug: 'connection 7 to 10.0.0.3:27017 closed' });
  });

  it('maps a ServiceError thrown anywhere to its own status', () => {
    const { format } = formatter();
    const disabled = new ServiceError('identity_disabled', 'disabled', { identityId: 'x' });
    const formatted = format(
      { message: 'disabled', path: ['createRecoveryLink'] },
      new GraphQLError('disabled', { originalError: disabled, path: ['createRecoveryLink'] }),
    );
    expect(formatted.extensions).toMatchObject({
      code: 'CONFLICT',
      error: { code: 409, status: 'Conflict', id: 'identity_disabled' },
    });
  });
});
