import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.js';

const directory = new URL('../../operations/', import.meta.url);
const files = readdirSync(directory).filter((file) => file.endsWith('.graphql'));

describe('the operations frontends send', () => {
  const schema = buildSchema();

  it.each(files)('%s is valid against the schema', (file) => {
    expect(validate(schema, parse(readFileSync(new URL(file, directory), 'utf8')))).toEqual([]);
  });

  it('are all in the persisted manifest, each under the hash of its printed document', () => {
    const manifest = JSON.parse(readFileSync(new URL('persisted-operations.json', directory), 'utf8')) as {
      operations: { id: string; name: string; body: string }[];
    };
    expect(manifest.operations).toHaveLength(files.length);
    for (const operation of manifest.operations) {
      expect(operation.id).toBe(createHash('sha256').update(operation.body).digest('hex'));
      expect(print(parse(operation.body))).toBe(operation.body);
    }
  });
});
