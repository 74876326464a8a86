/**
 * Checks on the raw environment that config.ts adds to the schema's own problems: they
 * compare settings with one another, or hold only in production, so they are reported
 * even when other settings fail to parse. Each problem is one line.
 */
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
