export { createApiKeyRegistry } from './api-keys.js';
export type { ApiKeyRegistry } from './api-keys.js';
export { createJwtVerifier } from './jwt.js';
export type { JwtVerifier, JwtVerifierOptions, JwtVerification } from './jwt.js';
export { createAuthenticator } from './authenticate.js';
export type { Authenticator, Authentication, Principal } from './authenticate.js';
