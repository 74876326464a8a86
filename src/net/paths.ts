/**
 * Every path this service answers on, in one place: the wiring builds links from them
 * without importing the HTTP server, and the docs' endpoint list matches this file.
 */
export const GRAPHQL_PATH = '/graphql';
/** Where recovery links point by default; serving the page there never consumes a link. */
export const RECOVERY_PAGE_PATH = '/recovery';
export const METRICS_PATH = '/metrics';
export const LIVENESS_PATH = '/health/live';
export const READINESS_PATH = '/health/ready';
