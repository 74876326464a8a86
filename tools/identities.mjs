// `npm run identities -- <command>`: puts identities into the database at MONGODB_URI
// (MONGODB_DB, IDENTITIES_COLLECTION as for the service) the way Kratos-style deployments
// keep them, so the service finds them. For development against `npm run db`.
//
//   add <uuid> [--inactive] [--email <address>]   adds or replaces one identity
//   import <file.json>                            the EMBEDDED_IDENTITIES_FILE format:
//                                                 [{"id": "<uuid>", "state"?: "active"|"inactive", "traits"?: {}}]
//   list                                          the first 100, and how many there are
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MongoClient, UUID } from 'mongodb';
import { z } from 'zod';

const LIST_LIMIT = 100;
const USAGE = 'usage: npm run identities -- add <uuid> [--inactive] [--email <address>] | import <file.json> | list';

// The same shape src/stores/index.ts reads from EMBEDDED_IDENTITIES_FILE.
const identity = z.object({
  id: z.uuid().transform((id) => id.toLowerCase()),
  state: z.enum(['active', 'inactive']).default('active'),
  traits: z.record(z.string(), z.unknown()).default({}),
});

function fail(message, code = 2) {
  console.error(message);
  process.exit(code);
}

function parse(schema, value, what) {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`${what}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }
  return parsed.data;
}

function readCommand() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { inactive: { type: 'boolean', default: false }, email: { type: 'string' } },
    });
  } catch (error) {
    fail(`${error.message}\n${USAGE}`);
  }
  const { positionals, values } = parsed;
  const [command, argument, ...extra] = positionals;
  if (extra.length > 0) fail(USAGE);
  if (command === 'add' && argument !== undefined) {
    const traits = values.email === undefined ? {} : { email: parse(z.email(), values.email, '--email') };
    const state = values.inactive ? 'inactive' : 'active';
    return { command, identities: [parse(identity, { id: argument, state, traits }, 'add')] };
  }
  if (values.inactive || values.email !== undefined) fail(`--inactive and --email go with add\n${USAGE}`);
  if (command === 'import' && argument !== undefined) {
    let json;
    try {
      json = JSON.parse(readFileSync(argument, 'utf8'));
    } catch (error) {
      fail(`${argument}: ${error.message}`);
    }
    return { command, identities: parse(z.array(identity), json, argument) };
  }
  if (command === 'list' && argument === undefined) return { command };
  fail(USAGE);
}

const request = readCommand();
const uri = process.env.MONGODB_URI;
if (!uri) fail('Set MONGODB_URI (npm run db prints the one to use).');
// Fails in seconds, not the driver's 30, when nothing listens there.
const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
try {
  const collection = client
    .db(process.env.MONGODB_DB || 'iam')
    .collection(process.env.IDENTITIES_COLLECTION || 'identities');
  if (request.command === 'list') {
    const documents = await collection.find({}).sort({ _id: 1 }).limit(LIST_LIMIT).toArray();
    for (const { _id, state, traits } of documents) {
      const id = typeof _id === 'string' ? _id : _id.toHexString(true);
      console.log([id, state, traits?.email ?? ''].join('\t').trimEnd());
    }
    const total = await collection.countDocuments();
    console.log(
      `${total} identit${total === 1 ? 'y' : 'ies'}${total > LIST_LIMIT ? ` (first ${LIST_LIMIT} shown)` : ''}`,
    );
  } else {
    const now = new Date();
    // Upserts, so pasting the same command twice neither fails nor duplicates.
    const result =
      request.identities.length === 0
        ? { upsertedCount: 0 }
        : await collection.bulkWrite(
            request.identities.map(({ id, state, traits }) => ({
              updateOne: {
                filter: { _id: new UUID(id) },
                update: {
                  $set: { state, schema_id: 'default', traits, updated_at: now },
                  $setOnInsert: { created_at: now },
                },
                upsert: true,
              },
            })),
          );
    for (const { id, state } of request.identities) console.log(`${id}\t${state}`);
    console.log(`${result.upsertedCount} added, ${request.identities.length - result.upsertedCount} updated`);
  }
} catch (error) {
  fail(`${request.command} failed: ${error.message}`, 1);
} finally {
  await client.close();
}
