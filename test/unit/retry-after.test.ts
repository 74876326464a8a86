import { describe, expect, it } from 'vitest';
import {
  identityNotFound,
  identityProviderUnavailable,
  rateLimited,
  storageUnavailable,
  tooManyConnections,
  waitHeadOf,
  waitOf,
  type ErrorHead,
} from '../../src/errors/index.js';
import type { ServiceError } from '../../src/errors/index.js';

const head = (error: ServiceError): ErrorHead => ({ code: error.status, details: error.details });

describe('the rule from errors to status and Retry-After', () => {
  it('answers a rate limit with 429 and its wait, over any status already chosen', () => {
    const limited = head(rateLimited('slow down', 7));
    expect(waitHeadOf([limited], undefined)).toEqual({ status: 429, retryAfter: '7' });
    expect(waitHeadOf([limited], 503)).toEqual({ status: 429, retryAfter: '7' });
    expect(waitHeadOf([head(storageUnavailable('down')), limited], 200)).toEqual({ status: 429, retryAfter: '7' });
  });

  it('answers an outage with 503 and the longest wait, only where nothing else chose a status', () => {
    const outage = [head(storageUnavailable('down')), head(identityProviderUnavailable('no JWKS'))];
    expect(waitHeadOf(outage, undefined)).toEqual({ status: 503, retryAfter: '5' });
    expect(waitHeadOf(outage, 400)).toBeNull();
  });

  it('leaves answers whose errors ask for no wait as they are', () => {
    expect(waitHeadOf([head(identityNotFound('a'))], 200)).toBeNull();
    expect(waitHeadOf([], undefined)).toBeNull();
    expect(waitOf(head(identityNotFound('a')))).toBeUndefined();
  });

  it('gives the HTTP layer the wait of each error it answers itself', () => {
    expect(waitOf(head(tooManyConnections()))).toBe(1);
    expect(waitOf(head(storageUnavailable('shutting down')))).toBe(5);
  });
});
