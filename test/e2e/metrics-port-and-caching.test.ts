import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';

/**
 * GraphQL answers hold link tokens and session JWTs, so no cache may keep one; and with
 * METRICS_PORT the metrics and health checks get a listener of their own.
 */
const DEMO_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

describe('Cache-Control', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({});
  });
  afterAll(() => app?.stop());

  it('is no-store on every GraphQL answer: data, errors, GET, refused bodies and the page', async () => {
    const created = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_ID } });
    const redeemed = await app.graphql(REDEEM_RECOVERY_LINK, {
      input: linkParameters(created.body.data?.createRecoveryLink.recoveryLink),
    });
    expect(redeemed.body.data?.redeemRecoveryLink.sessionToken).toBeTypeOf('string');
    const answers = [
      created.headers,
      redeemed.headers,
      (await app.graphql('{ nope }')).headers,
      (await app.post('{"query": ')).headers,
      (await fetch(`${app.url}/graphql?query=%7B__typename%7D`, { headers: { 'apollo-require-preflight': 'y' } }))
        .headers,
      (await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } })).headers,
      (await fetch(`${app.url}/recovery?flow=x&token=y`)).headers,
    ];
    expect(answers.map((headers) => headers.get('cache-control'))).toEqual(answers.map(() => 'no-store'));
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics and the health checks on their own listener, and /metrics no longer on the main port', async () => {
    const app = await startTestApp({ METRICS_PORT: '0' });
    try {
      expect(app.metricsUrl).not.toBeNull();
      expect(app.metricsUrl).not.toBe(app.url);
      const metrics = await fetch(`${app.metricsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE');
      expect((await fetch(`${app.metricsUrl}/health/live`)).status).toBe(200);
      expect((await fetch(`${app.metricsUrl}/health/ready`)).status).toBe(200);
      expect((await fetch(`${app.metricsUrl}/graphql`)).status).toBe(404);
      expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('leaves /metrics on the main port by default', async () => {
    const app = await startTestApp({});
    try {
      expect(app.metricsUrl).toBeNull();
      expect((await fetch(`${app.url}/metrics`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
