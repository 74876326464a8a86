/**
 * Settings checked against one another, whatever NODE_ENV is: on the parsed values once
 * each parses on its own (the schema's refinement), and the secrets on the raw values, so
 * they are reported even when other settings fail to parse. Each problem is one line.
 */
import { environmentSchema } from './schema.js';

type Environment = Readonly<Record<string, string | undefined>>;

/** The schema, with the checks that compare parsed settings. */
export const checkedEnvironmentSchema = environmentSchema.superRefine((env, context) => {
  // Codes share the links' maximum, so a claim outlives any code as it outlives any link.
  for (const name of ['RECOVERY_LINK_LIFESPAN', 'RECOVERY_CODE_LIFESPAN'] as const) {
    const maximum = env.RECOVERY_LINK_MAX_LIFESPAN;
    if (env[name] === undefined) continue;
    if (env[name].nanoseconds <= 0n) context.addIssue({ code: 'custom', path: [name], message: 'must be positive' });
    if (env[name].nanoseconds > maximum.nanoseconds) {
      const message = `must not exceed RECOVERY_LINK_MAX_LIFESPAN (${maximum.text})`;
      context.addIssue({ code: 'custom', path: [name], message });
    }
  }
  // The session stands in for a password the person no longer has: keep it short.
  const sessionMaxAge = env.PRIVILEGED_SESSION_MAX_AGE.nanoseconds;
  if (sessionMaxAge < 1_000_000_000n || sessionMaxAge > 86_400_000_000_000n) {
    context.addIssue({ code: 'custom', path: ['PRIVILEGED_SESSION_MAX_AGE'], message: 'must be between 1s and 24h' });
  }
  if (env.MONGODB_TIMEOUT.nanoseconds < 100_000_000n || env.MONGODB_TIMEOUT.nanoseconds > 60_000_000_000n) {
    context.addIssue({ code: 'custom', path: ['MONGODB_TIMEOUT'], message: 'must be between 100ms and 60s' });
  }
  for (const name of ['HTTP_HEADERS_TIMEOUT', 'HTTP_REQUEST_TIMEOUT', 'HTTP_KEEP_ALIVE_TIMEOUT'] as const) {
    if (env[name].nanoseconds < 1_000_000_000n || env[name].nanoseconds > 600_000_000_000n) {
      context.addIssue({ code: 'custom', path: [name], message: 'must be between 1s and 10m' });
    }
  }
  // Node counts both from the connection's start: a longer headers timeout would never apply.
  if (env.HTTP_HEADERS_TIMEOUT.nanoseconds > env.HTTP_REQUEST_TIMEOUT.nanoseconds) {
    context.addIssue({
      code: 'custom',
      path: ['HTTP_HEADERS_TIMEOUT'],
      message: `must not exceed HTTP_REQUEST_TIMEOUT (${env.HTTP_REQUEST_TIMEOUT.text})`,
    });
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    context.addIssue({
      code: 'custom',
      path: ['METRICS_PORT'],
      message: 'must differ from PORT (leave it unset to share PORT)',
    });
  }
  if (env.AUTH_MAX_TOKEN_LIFETIME.nanoseconds < 1_000_000_000n) {
    context.addIssue({ code: 'custom', path: ['AUTH_MAX_TOKEN_LIFETIME'], message: 'must be at least 1s' });
  }
  if (env.AUTH_JWKS_URL !== undefined && (env.AUTH_ISSUER === undefined || env.AUTH_AUDIENCE === undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['AUTH_JWKS_URL'],
      message: 'needs AUTH_ISSUER and AUTH_AUDIENCE as well',
    });
  }
});

/**
 * The token secret, the session signing key and the admin API keys protect different
 * things: one value for two of them means a leak of one is a leak of both (a session
 * signing key that is also an admin key hands out admin access to whoever signs).
 */
export function sharedSecretProblems(environment: Environment): string[] {
  const named: [string, string][] = [];
  if (environment.RECOVERY_TOKEN_SECRET) named.push(['RECOVERY_TOKEN_SECRET', environment.RECOVERY_TOKEN_SECRET]);
  if (environment.SESSION_SIGNING_KEY) named.push(['SESSION_SIGNING_KEY', environment.SESSION_SIGNING_KEY]);
  for (const key of (environment.ADMIN_API_KEYS ?? '').split(',')) {
    if (key.trim() !== '') named.push(['ADMIN_API_KEYS', key.trim()]);
  }
  const problems = new Set<string>();
  for (const [index, [name, value]] of named.entries()) {
    for (const [otherName, otherValue] of named.slice(index + 1)) {
      if (name !== otherName && value === otherValue) {
        problems.add(`${otherName}: must differ from ${name}: each secret protects something else`);
      }
    }
  }
  return [...problems];
}
