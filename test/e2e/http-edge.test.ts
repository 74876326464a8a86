import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_RECOVERY_LINK, errorBody, startTestApp, type TestApp } from '../support/app.js';
import { openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * What the service answers before and around GraphQL: bodies that are not JSON or too
 * big, documents over the limits, unknown paths and the health endpoints.
 */
let database: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  database = await openScratchDatabase();
  app = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

describe('the HTTP edge', () => {
  it('answers malformed JSON with an errorGeneric 400', async () => {
    const response = await app.post('{"query": ');
    expect(response.status).toBe(400);
    const body = await errorBody(response);
    expect(body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      error: { code: 400, id: 'invalid_json', request: response.headers.get('x-request-id') },
    });
  });

  it('names its own request in the errors Apollo answers, also for requests in flight together', async () => {
    const requests = [
      // Refused by Apollo before any operation runs (no context exists yet).
      { body: { query: 5 }, id: 'bad_request' },
      // Refused by validation, inside the operation.
      { body: { query: '{ noSuchField }' }, id: 'graphql_validation_failed' },
      // Refused by the resolver.
      {
        body: { query: CREATE_RECOVERY_LINK, variables: { input: { identityId: randomUUID() } } },
        id: 'identity_not_found',
      },
    ];
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const { body, id } = requests[i % requests.length]!;
        const requestId = `interleaved-${i}`;
        const response = await app.post(body, { 'x-request-id': requestId });
        return { requestId, id, error: (await errorBody(response)).errors[0].extensions.error };
      }),
    );
    for (const { requestId, id, error } of answers) expect(error).toMatchObject({ id, request: requestId });
  });

  it('names its own request in a 406, which Apollo decides after the operation ran', async () => {
    const response = await app.post(
      { query: '{ __typename }' },
      { accept: 'text/plain', 'x-request-id': 'refused-406' },
    );
    expect(response.status).toBe(406);
    expect((await errorBody(response)).errors[0].extensions.error).toMatchObject({ request: 'refused-406' });
  });

  it('answers an oversized body with an errorGeneric 413', async () => {
    const response = await app.post({ query: `{ __typename } #${'x'.repeat(200 * 1024)}` });
    expect(response.status).toBe(413);
    expect((await errorBody(response)).errors[0].extensions.error).toMatchObject({
      code: 413,
      status: 'Payload Too Large',
      id: 'payload_too_large',
    });
  });

  it('answers a streamed body that grows past the limit with 413, and closes the connection', async () => {
    // No content-length: the limit is found while reading, not from the header.
    const answer = await new Promise<{ status?: number; connection?: string; body: string }>((resolve, reject) => {
      const url = new URL(`${app.url}/graphql`);
      const sending = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST' },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += String(chunk)));
          response.on('end', () =>
            resolve({ status: response.statusCode, connection: response.headers.connection, body }),
          );
        },
      );
      sending.setHeader('content-type', 'application/json');
      sending.setHeader('transfer-encoding', 'chunked');
      sending.on('error', reject);
      const chunk = 'x'.repeat(16 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent++ < 20) if (!sending.write(chunk)) return void sending.once('drain', pump);
        sending.end();
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { error: { id: 'payload_too_large' } } }] });
  });

  it('answers a non-JSON content type with an errorGeneric 415', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(response.status).toBe(415);
    expect((await errorBody(response)).errors[0].extensions.error).toMatchObject({
      code: 415,
      id: 'unsupported_media_type',
    });
  });

  it('answers GraphQL syntax and validation errors in the same shape', async () => {
    const syntax = await app.graphql('mutation {');
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_PARSE_FAILED',
      error: { code: 400, id: 'graphql_parse_failed' },
    });
    const validation = await app.graphql('{ recoveryLinks }');
    expect(validation.body.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      error: { code: 400, id: 'graphql_validation_failed' },
    });
    const missingVariable = await app.graphql(CREATE_RECOVERY_LINK, {});
    expect(missingVariable.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      error: { code: 400, id: 'invalid_input' },
    });
  });

  it('refuses documents with more aliases or tokens than the limits allow', async () => {
    const aliased = (count: number) =>
      `mutation { ${Array.from({ length: count }, (_, i) => `l${i}: createRecoveryLink(input: {identityId: "${randomUUID()}"}) { recoveryLink }`).join(' ')} }`;
    const tooMany = await app.graphql(aliased(16));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      error: { id: 'graphql_validation_failed', reason: 'The document uses more than 15 aliases.' },
    });
    const allowed = await app.graphql(aliased(15));
    // Fifteen pass validation and execute (serially, stopping at the first failure).
    expect(allowed.status).toBe(200);
    expect(allowed.body.errors?.[0]?.extensions.error.id).toBe('identity_not_found');

    const huge = await app.graphql(`{ ${'__typename '.repeat(2_001)} }`);
    expect(huge.status).toBe(400);
    expect(huge.body.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_PARSE_FAILED',
      error: { id: 'graphql_parse_failed' },
    });
  });

  it('still answers the introspection query Apollo Sandbox sends', async () => {
    const { body } = await app.graphql(getIntrospectionQuery());
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.mutationType.name).toBe('Mutation');
  });

  it('answers unknown paths with an errorGeneric 404', async () => {
    const response = await fetch(`${app.url}/admin`);
    expect(response.status).toBe(404);
    expect((await errorBody(response)).errors[0].extensions.error).toMatchObject({ code: 404, id: 'route_not_found' });
  });

  it('reports live and ready while the database answers', async () => {
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });
});
