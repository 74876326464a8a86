/**
 * What NODE_ENV=production changes: the settings it requires or refuses (checked on the
 * raw environment, so they are reported even when other settings fail to parse; each
 * problem is one line), and the defaults it turns to hiding what only a developer needs.
 */
import { isLoopbackHost } from '../net/loopback.js';
import { parseReturnToAllowlist } from '../recovery/index.js';

type Environment = Readonly<Record<string, string | undefined>>;

/** The settings whose defaults production changes, as the schema parsed them. */
interface ExposureSettings {
  readonly NODE_ENV: 'development' | 'test' | 'production';
  readonly INTROSPECTION?: 'true' | 'false' | undefined;
  readonly INLINE_TRACES?: 'true' | 'false' | undefined;
  readonly MONGODB_URI?: string | undefined;
}

export interface ProductionDefaults {
  readonly introspection: boolean;
  readonly inlineTracesForAnyone: boolean;
  readonly serviceSdlForAdminsOnly: boolean;
  /** Reached only through ALLOW_EMBEDDED_STORE_IN_PRODUCTION (productionProblems refuses it otherwise). */
  readonly embeddedStoreInProduction: boolean;
}

/**
 * Outside production the schema, Sandbox and per-resolver timings help whoever develops;
 * in production they would spell out the schema and which check failed to anyone, so each
 * is off unless set.
 */
export function productionDefaults(env: ExposureSettings): ProductionDefaults {
  const production = env.NODE_ENV === 'production';
  return {
    introspection: env.INTROSPECTION === undefined ? !production : env.INTROSPECTION === 'true',
    inlineTracesForAnyone: env.INLINE_TRACES === undefined ? !production : env.INLINE_TRACES === 'true',
    serviceSdlForAdminsOnly: production,
    embeddedStoreInProduction: production && env.MONGODB_URI === undefined,
  };
}

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
