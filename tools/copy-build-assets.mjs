// `npm run build`'s second step: copies into dist/ what the compiled service reads from
// disk at start, so that package.json, the lock file, production node_modules and dist/
// are a complete image (test/e2e/image.test.ts starts exactly that). The layout is the
// one src/build-files.ts and src/http/recovery-page.ts look for:
//   dist/schema.graphql
//   dist/operations/*.graphql and dist/operations/persisted-operations.json
//   dist/http/recovery-page/* (beside dist/http/recovery-page.js, as in src/http)
// A folder is replaced whole, so a document removed from operations/ leaves the build too.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);

if (!existsSync(new URL('app/main.js', dist))) {
  console.error(`copy-build-assets: ${dist.pathname} holds no compiled service; run tsc -p tsconfig.build.json first`);
  process.exit(1);
}

cpSync(new URL('schema.graphql', root), new URL('schema.graphql', dist));

const operations = new URL('operations/', dist);
rmSync(operations, { recursive: true, force: true });
mkdirSync(operations);
for (const file of readdirSync(new URL('operations/', root))) {
  if (file.endsWith('.graphql') || file === 'persisted-operations.json') {
    cpSync(new URL(`operations/${file}`, root), new URL(file, operations));
  }
}

const page = new URL('http/recovery-page/', dist);
rmSync(page, { recursive: true, force: true });
cpSync(new URL('src/http/recovery-page/', root), page, { recursive: true });
