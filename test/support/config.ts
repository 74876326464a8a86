import { parseConfig, type Config } from '../../src/config/index.js';

/** The configuration of an environment that parses, or a failure that lists its problems. */
export function configOf(environment: Record<string, string>): Config {
  const result = parseConfig(environment);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

/** Everything production requires, so each test can take one thing away. */
export const PRODUCTION = {
  RECOVERY_TOKEN_SECRET: 's'.repeat(32),
  SESSION_SIGNING_KEY: 'k'.repeat(32),
  ADMIN_API_KEYS: 'a'.repeat(32),
  MONGODB_URI: 'mongodb://db.internal:27017',
  PUBLIC_BASE_URL: 'https://id.example.com',
};

/** The problems parseConfig reports for an environment; none when it parses. */
export function problemsOf(environment: Record<string, string>): string[] {
  const result = parseConfig(environment);
  return result.ok ? [] : result.problems;
}
