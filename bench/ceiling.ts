import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { createRecoveryService } from '../src/app/recovery-service.js';
import { parseDuration, type RequestOrigin } from '../src/recovery/index.js';
import { openStore, sweepUnlessExpiresByItself } from '../src/stores/index.js';

/**
 * The ceiling: the same work as the service (validate, look up the identity, create and
 * store the token, build the link; or redeem) through the project's own domain and store
 * code, behind a bare node:http handler with no GraphQL. The service is measured against
 * this, on the same store, in the same run.
 */
const parsed = parseConfig(process.env);
if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
const { config } = parsed;
// A store that cannot open (PostgreSQL refusing connections, say) is said on stderr, which
// the bench shows with the scenario's failure, instead of an unhandled rejection.
const logger = createLogger('warn');
const store = await openStore(config.store, config.retention, logger).catch((error: unknown) => {
  process.stderr.write(`ceiling: the store did not open: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
// As the service's app does, so both carry the same sweeper; it ends with the process.
sweepUnlessExpiresByItself(store, config.retention.sweepIntervalMilliseconds, logger);
const port = config.server.port;
const recovery = createRecoveryService(config.links, config.sessions, store, () => new URL(`http://localhost:${port}`));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    // Said once per kind on stderr, and answered, so a load run counts it as failed rather than hanging.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!reported.has(message) && reported.size < 20) {
      reported.add(message);
      process.stderr.write(`ceiling: ${request.url}: ${message}\n`);
    }
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'internal', message }));
  });
}).listen(port, '127.0.0.1');

const reported = new Set<string>();

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'GET') return void response.end('ok'); // readiness
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let body: Record<string, string>;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
  } catch {
    return void response.writeHead(400).end('{"error":"json"}');
  }
  const origin: RequestOrigin = {
    requestId: randomUUID(),
    actor: 'api_key:bench',
    clientAddress: request.socket.remoteAddress ?? null,
  };
  response.setHeader('content-type', 'application/json');
  if (request.url === '/create') {
    if (!UUID.test(body.identityId ?? '')) return void response.writeHead(400).end('{"error":"identityId"}');
    const outcome = await recovery.createRecoveryLink({
      identityId: body.identityId!.toLowerCase(),
      expiresIn: parseDuration(body.expiresIn ?? '1h'),
      origin,
    });
    return void response.end(
      JSON.stringify(
        outcome.kind === 'created'
          ? { expiresAt: outcome.link.expiresAt, recoveryLink: outcome.link.recoveryLink }
          : { error: outcome.kind },
      ),
    );
  }
  if (request.url === '/redeem') {
    if (!UUID.test(body.flow ?? '') || typeof body.token !== 'string')
      return void response.writeHead(400).end('{"error":"input"}');
    const outcome = await recovery.redeemRecoveryLink({ flowId: body.flow!.toLowerCase(), token: body.token, origin });
    return void response.end(
      JSON.stringify(outcome.kind === 'redeemed' ? outcome.redemption : { error: outcome.kind }),
    );
  }
  response.writeHead(404).end();
}

// SIGTERM ends the process normally, so that `node --cpu-prof` writes the ceiling's profile too.
process.on('SIGTERM', () => process.exit(0));
