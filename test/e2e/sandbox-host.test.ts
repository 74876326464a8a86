import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app/app.js';
import { developmentAdminKey, parseConfig, type Config } from '../../src/config/index.js';
import { openStore } from '../../src/stores/index.js';
import type { RecoveryStore } from '../../src/recovery/index.js';
import { capturingLogger } from '../support/app.js';

/**
 * The Sandbox page picks the development key by the request's Host, which reaches the
 * page through request-scoped storage that only GET requests run in (src/http/server.ts):
 * each page must still match its own request's Host when pages are asked for at once.
 */
let app: RunningApp;
let store: RecoveryStore;
let config: Config;

beforeAll(async () => {
  // No ADMIN_API_KEYS: the configuration generates the development key Sandbox carries.
  const parsed = parseConfig({ PORT: '0', RECOVERY_TOKEN_SECRET: 'test-secret-that-is-at-least-32-characters' });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  config = parsed.config;
  const { logger } = capturingLogger();
  store = await openStore(config.store, config.retention, logger);
  app = await startApp(config, store, logger);
});

afterAll(async () => {
  await app?.stop();
  await store?.close();
});

function landingPage(host: string): Promise<string> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path: '/graphql', headers: { host, accept: 'text/html' } });
    sent.on('error', reject);
    sent.on('response', (response) => {
      let page = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (page += chunk));
      response.on('end', () => resolve(page));
      response.on('error', reject);
    });
    sent.end();
  });
}

describe('the Sandbox landing page', () => {
  it('carries the development key for a loopback Host and not for any other, also when asked at once', async () => {
    const key = developmentAdminKey(config.auth);
    expect(key).not.toBeNull();
    const hosts = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? `localhost:${i}` : `evil.example:${i}`));
    const pages = await Promise.all(hosts.map(landingPage));
    pages.forEach((page, i) => {
      expect(page).toContain('"runTelemetry":false');
      if (i % 2 === 0) expect(page).toContain(`"Authorization":"Bearer ${key}"`);
      else expect(page).not.toContain(key!);
    });
  });
});
