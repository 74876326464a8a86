import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VerdictCache } from '../../src/graphql/safelist.js';
import { manifestDocuments } from '../../src/http/persisted-operations.js';

describe('the safelist verdict cache', () => {
  it('stays within its byte bound however many distinct large documents arrive', () => {
    const maxBytes = 64 * 1024;
    const cache = new VerdictCache(maxBytes);
    // 1,000 distinct 100 kB bodies, keyed as Apollo keys them (their SHA-256 query hash).
    for (let i = 0; i < 1_000; i++) {
      const body = `{ __typename } # ${i} ${'x'.repeat(100_000)}`;
      cache.set(createHash('sha256').update(body).digest('hex'), false);
      expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.bytes).toBeGreaterThan(maxBytes / 2);
  });

  it('keeps the most recently used verdicts', () => {
    const cache = new VerdictCache(3 * (2 * 64 + 64));
    const key = (n: number) => String(n).padStart(64, '0');
    cache.set(key(1), true);
    cache.set(key(2), false);
    cache.set(key(3), true);
    expect(cache.get(key(1))).toBe(true);
    cache.set(key(4), true);
    expect(cache.get(key(2))).toBeUndefined();
    expect(cache.get(key(1))).toBe(true);
    expect(cache.get(key(4))).toBe(true);
  });

  it('never holds a key larger than its bound', () => {
    const cache = new VerdictCache(100);
    cache.set('k'.repeat(1000), true);
    expect(cache.get('k'.repeat(1000))).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});

describe('persisted operation manifests', () => {
  const sha256 = 'a'.repeat(64);
  const sha1 = 'B'.repeat(40);

  it("reads Apollo's manifest format", () => {
    const text = JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: sha256, name: 'A', type: 'query', body: '{ __typename }' }],
    });
    expect([...manifestDocuments(text, 'apollo.json')]).toEqual([[sha256, '{ __typename }']]);
  });

  it('reads a {hash: document} map with sha256 and sha1 ids, prefixed or not', () => {
    const text = JSON.stringify({ [`sha256:${sha256}`]: '{ a }', [sha1]: '{ b }' });
    expect([...manifestDocuments(text, 'codegen.json')]).toEqual([
      [sha256, '{ a }'],
      [sha1.toLowerCase(), '{ b }'],
    ]);
  });

  it.each([
    ['an array', '[]'],
    ['an id that is no hash', JSON.stringify({ nope: '{ a }' })],
    ['a document that is no string', JSON.stringify({ [sha256]: 1 })],
    ['another format', JSON.stringify({ format: 'other', operations: [] })],
  ])('refuses %s, naming the file', (_case, text) => {
    expect(() => manifestDocuments(text, 'bad.json')).toThrow(/^bad\.json: /);
  });
});
