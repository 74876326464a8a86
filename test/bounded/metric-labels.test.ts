import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/** Nothing a caller sends becomes a metric label: the series count stays as it was. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({});
});
afterAll(async () => {
  await app?.stop();
});

const seriesCount = async () =>
  (await (await fetch(`${app.url}/metrics`)).text()).split('\n').filter((line) => line.startsWith('graphql_')).length;

/** The i-th of many distinct root selections: sequences of four root fields, aliased apart. */
function shape(i: number): string {
  const fields = [
    '__typename',
    '_service { __typename }',
    'identity(id: "3fa85f64-5717-4562-b3fc-2c963f66afa6") { id }',
    'recoveryEvents(identityId: "3fa85f64-5717-4562-b3fc-2c963f66afa6") { type }',
  ];
  const picks: string[] = [];
  for (let n = i + 1; n > 0; n = Math.floor(n / 4)) picks.push(`f${picks.length}: ${fields[n % 4]}`);
  return `{ ${picks.join(' ')} }`;
}

describe('metric labels', () => {
  it('add no series for 10,000 distinct operation shapes', async () => {
    for (let i = 0; i < 50; i++) await app.graphql(shape(i), {}, { authorization: '' });
    const before = await seriesCount();
    const shapes = Array.from({ length: 10_000 }, (_, i) => shape(i + 50));
    for (let start = 0; start < shapes.length; start += 50) {
      await Promise.all(shapes.slice(start, start + 50).map((query) => app.graphql(query, {}, { authorization: '' })));
    }
    expect(new Set(shapes).size).toBe(10_000);
    expect(await seriesCount()).toBe(before);
  }, 300_000);
});
