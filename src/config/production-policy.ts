/**
 * Checks on the raw environment that config.ts adds to the schema's own problems: they
 * compare settings with one another, or hold only in production, so they are reported
 * even when other settings fail to parse. Each problem is one line.
 */
import { isLoopbackHost } from '../net/loopback.js';
import { parseReturnToAllowlist } from '../recovery/index.js';

type Environment = Readonly<Record<string, string | undefined>>;

/** The pages and links people open: in production, never over plain http. */
const PUBLIC_URL_SETTINGS = ['PUBLIC_BASE_URL', 'SETTINGS_UI_URL', 'RECOVERY_LINK_BASE_URL'] as const;

export function httpsProblems(environment: Environment): string[] {
  if (environment.NODE_ENV !== 'production') return [];
  return PUBLIC_URL_SETTINGS.filter((name) => {
    const text = environment[name];
    // Malformed URLs are left to the schema, which reports them on its own line.
    return text !== undefined && URL.canParse(text) && new URL(text).protocol !== 'https:';
  }).map(
    (name) => `${name}: must be https when NODE_ENV=production: it carries recovery tokens and sessions to a browser`,
  );
}

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

/** Checked on the raw values, so they are reported even when other settings fail to parse. */
export function productionProblems(environment: Environment): string[] {
  if (environment.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (environment.RECOVERY_TOKEN_SECRET === undefined) {
    problems.push('RECOVERY_TOKEN_SECRET: is required when NODE_ENV=production');
  }
  if (environment.SESSION_SIGNING_KEY === undefined) {
    problems.push('SESSION_SIGNING_KEY: is required when NODE_ENV=production');
  }
  if (!environment.ADMIN_API_KEYS && !environment.AUTH_JWKS_URL) {
    problems.push(
      'ADMIN_API_KEYS or AUTH_JWKS_URL: admin operations must be authenticated when NODE_ENV=production; set at least one',
    );
  }
  if (environment.DEBUG_ERRORS === 'true') {
    problems.push('DEBUG_ERRORS: must not be true when NODE_ENV=production: debug details would reach clients');
  }
  // The opt-in exists to measure production's code paths (the bench) without a database.
  if (environment.MONGODB_URI === undefined && environment.ALLOW_EMBEDDED_STORE_IN_PRODUCTION !== 'true') {
    problems.push(
      'MONGODB_URI: is required when NODE_ENV=production: the embedded store keeps nothing and serves a demo identity (ALLOW_EMBEDDED_STORE_IN_PRODUCTION=true overrides this, for benchmarks)',
    );
  }
  if (environment.PUBLIC_BASE_URL === undefined) {
    problems.push(
      'PUBLIC_BASE_URL: is required when NODE_ENV=production: links and the session token issuer would otherwise name localhost',
    );
  }
  if (environment.AUTH_JWKS_URL !== undefined && !isHttpsOrLoopback(environment.AUTH_JWKS_URL)) {
    problems.push(
      'AUTH_JWKS_URL: must be https when NODE_ENV=production (plain http only on loopback): whoever can alter the keys in transit can sign admin tokens',
    );
  }
  problems.push(...returnToAllowlistProblems(environment));
  return problems;
}

/** Malformed URLs are left to the schema, which reports them on its own line. */
function isHttpsOrLoopback(text: string): boolean {
  if (!URL.canParse(text)) return true;
  const url = new URL(text);
  return url.protocol === 'https:' || isLoopbackHost(url.hostname);
}

/**
 * A return URL receives the session token in its fragment, as SETTINGS_UI_URL does: in
 * production only https, or plain http on loopback (a desktop app's local callback).
 */
function returnToAllowlistProblems(environment: Environment): string[] {
  const list = environment.RECOVERY_RETURN_TO_ALLOWLIST;
  if (list === undefined) return [];
  let origins: string[];
  try {
    origins = parseReturnToAllowlist(list).map((entry) => entry.origin);
  } catch {
    return []; // reported by the schema, on its own line
  }
  return origins
    .filter((origin) => !isHttpsOrLoopback(origin))
    .map(
      (origin) =>
        `RECOVERY_RETURN_TO_ALLOWLIST: ${origin} must be https when NODE_ENV=production (plain http only on loopback): the session token is sent there`,
    );
}
