import { existsSync } from 'node:fs';

/**
 * Where the files the service reads at start live: schema.graphql and operations/ (the
 * documents and their manifest). In a checkout they are at the repository root, one level
 * above this module in src/; in a build, tools/copy-build-assets.mjs copies them beside
 * this module at the root of dist/, so that dist/ with production node_modules runs on its
 * own (test/e2e/image.test.ts starts exactly that).
 */
const HERE = new URL('./', import.meta.url);
const ROOT = existsSync(new URL('schema.graphql', HERE)) ? HERE : new URL('../', HERE);

export const SCHEMA_FILE = new URL('schema.graphql', ROOT);
export const OPERATIONS_DIRECTORY = new URL('operations/', ROOT);
