import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRecoveryLinkDocument } from '../../operations/generated/graphql.js';
import { TEST_ADMIN_KEY, errorBody, startTestApp, type TestApp } from '../support/app.js';

const manifest = (await import('../../operations/persisted-operations.json', { with: { type: 'json' } })).default as {
  operations: { id: string; name: string }[];
};
const DEMO_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const createId = manifest.operations.find((operation) => operation.name === 'CreateRecoveryLink')!.id;

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ PERSISTED_OPERATIONS_ONLY: 'true' });
});

afterAll(async () => {
  await app?.stop();
});

describe('PERSISTED_OPERATIONS_ONLY', () => {
  it('runs a persisted operation sent as its document, however it is formatted', async () => {
    const compact = print(CreateRecoveryLinkDocument).replace(/\s+/g, ' ');
    const { body } = await app.graphql(compact, { input: { identityId: DEMO_ID } });
    expect(body.errors).toBeUndefined();
    expect(body.data?.createRecoveryLink.recoveryLink).toContain('token=');
  });

  it('runs a persisted operation sent by its id', async () => {
    const response = await app.post({
      variables: { input: { identityId: DEMO_ID } },
      extensions: { persistedQuery: { version: 1, sha256Hash: createId } },
    });
    const body = (await response.json()) as { data?: { createRecoveryLink: { recoveryLink: string } } };
    expect(body.data?.createRecoveryLink.recoveryLink).toContain('token=');
  });

  it.each([
    ['any other document', { query: '{ __schema { types { name } } }' }],
    ['an unknown id', { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }],
    [
      'a persisted document with a field added',
      { query: print(CreateRecoveryLinkDocument).replace('recoveryLink\n', 'recoveryLink\n __typename\n') },
    ],
  ])('refuses %s with 400 operation_not_allowed', async (_case, payload) => {
    const response = await app.post(payload);
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      error: { code: 400, id: 'operation_not_allowed' },
    });
  });

  it('admits what the recovery page sends', async () => {
    const page = await (await fetch(`${app.url}/recovery`)).text();
    const config = JSON.parse(/<script type="application\/json" id="config">(.*?)<\/script>/s.exec(page)![1]!) as {
      redeemDocument: string;
    };
    const { body } = await app.graphql(
      config.redeemDocument,
      { input: { flow: '00000000-0000-4000-8000-000000000000', token: 'x' } },
      { authorization: '' },
    );
    expect(body.errors?.[0]?.extensions.error.id).toBe('recovery_link_invalid');
  });

  it('refuses operations in GET query strings', async () => {
    const response = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors[0].extensions.error.id).toBe('operation_not_allowed');
  });
});
