import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../support/app.js';

/**
 * What anonymous clients can cause at will (aborted bodies, persisted-query hashes that do
 * not match, malformed input) logs at most at info, without a stack, and counts as a
 * client error in /metrics: never as an internal error that would page someone.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({});
});
afterAll(() => app?.stop());

const ERROR_LEVEL = 50;
const linesAtOrAbove = (level: number) =>
  app.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= level);
const clientErrors = async (errorId: string) => {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`http_client_errors_total{error_id="${errorId}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('client-caused conditions', () => {
  it('answers a persisted query whose hash does not match with its own error id', async () => {
    const before = await clientErrors('persisted_query_hash_mismatch');
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256('{ somethingElse }') } };
    const post = await app.post({ query: '{ __typename }', extensions }, { authorization: '' });
    expect(post.status).toBe(400);
    expect((await errorBody(post)).errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      error: { id: 'persisted_query_hash_mismatch', code: 400 },
    });
    const search = new URLSearchParams({ query: '{ __typename }', extensions: JSON.stringify(extensions) });
    const get = await fetch(`${app.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'y' } });
    expect(get.status).toBe(400);
    expect((await errorBody(get)).errors[0].extensions.error.id).toBe('persisted_query_hash_mismatch');
    // A matching hash still runs, as Apollo's APQ does.
    const matching = { persistedQuery: { version: 1, sha256Hash: sha256('{ __typename }') } };
    expect(await (await app.post({ query: '{ __typename }', extensions: matching })).json()).toEqual({
      data: { __typename: 'Query' },
    });
    expect(await clientErrors('persisted_query_hash_mismatch')).toBe(before + 2);
    expect(linesAtOrAbove(ERROR_LEVEL)).toEqual([]);
  });

  it('answers an unsupported persisted query version as a bad request, not an internal error', async () => {
    const response = await app.post({ query: '{ __typename }', extensions: { persistedQuery: { version: 2 } } });
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors[0].extensions.error.id).toBe('bad_request');
    expect(linesAtOrAbove(ERROR_LEVEL)).toEqual([]);
  });

  it('logs a body its client abandoned at info, without a stack, and counts it', async () => {
    const before = await clientErrors('request_aborted');
    const { hostname, port } = new URL(app.url);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on('error', () => {});
    socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await expect.poll(() => clientErrors('request_aborted')).toBe(before + 1);
    const line = app.logs.find((entry) => entry.includes('client went away'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 30 });
    expect(line).not.toContain('stack');
    expect(linesAtOrAbove(ERROR_LEVEL)).toEqual([]);
  });

  it('counts malformed bodies as client errors, without an error line', async () => {
    const before = await clientErrors('invalid_json');
    expect((await app.post('{"query": ')).status).toBe(400);
    expect(await clientErrors('invalid_json')).toBe(before + 1);
    expect(linesAtOrAbove(ERROR_LEVEL)).toEqual([]);
  });
});
