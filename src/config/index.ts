export { SERVICE_NAME, developmentAdminKey, parseConfig, type ConfigResult } from './parse-config.js';
export type * from './sections.js';
export { parseTrustedProxy, type TrustedProxy } from './trusted-proxy.js';
