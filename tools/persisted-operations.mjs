// Writes operations/persisted-operations.json, Apollo's persisted query manifest format,
// from operations/*.graphql. `--check` fails when the committed manifest is stale.
// An operation's id is the SHA-256 of its printed (normalised) document, so clients
// may send either the id or the document.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parse, print } from 'graphql';

const directory = new URL('../operations/', import.meta.url);
const target = new URL('persisted-operations.json', directory);

const operations = readdirSync(directory)
  .filter((file) => file.endsWith('.graphql'))
  .sort()
  .map((file) => {
    const document = parse(readFileSync(new URL(file, directory), 'utf8'));
    const [operation] = document.definitions;
    const body = print(document);
    return {
      id: createHash('sha256').update(body).digest('hex'),
      name: operation.name.value,
      type: operation.operation,
      body,
    };
  });
const manifest = `${JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {}
  if (committed !== manifest) {
    console.error('operations/persisted-operations.json is stale: run npm run persisted-operations');
    process.exit(1);
  }
  console.log(`persisted operations up to date (${operations.length})`);
} else {
  writeFileSync(target, manifest);
  console.log(`wrote ${operations.length} operations to operations/persisted-operations.json`);
}
