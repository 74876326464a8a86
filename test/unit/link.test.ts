import { describe, expect, it } from 'vitest';
import { buildRecoveryLink } from '../../src/recovery/index.js';

const flow = '5b1e0e3c-3f0e-4d8e-9f0b-2f4c1d7a9e11';

describe('buildRecoveryLink', () => {
  it('appends the flow and the token to the base URL', () => {
    expect(buildRecoveryLink(new URL('https://id.example.com/recovery'), flow, 'tok_en-1')).toBe(
      `https://id.example.com/recovery?flow=${flow}&token=tok_en-1`,
    );
  });

  it('keeps a query string already on the base', () => {
    const link = new URL(
      buildRecoveryLink(new URL('https://id.example.com/recovery?tenant=acme&lang=de'), flow, 'abc'),
    );
    expect(link.searchParams.get('tenant')).toBe('acme');
    expect(link.searchParams.get('lang')).toBe('de');
    expect(link.searchParams.get('flow')).toBe(flow);
    expect(link.searchParams.get('token')).toBe('abc');
  });

  it('replaces flow and token parameters a misconfigured base carries', () => {
    const link = new URL(buildRecoveryLink(new URL('https://id.example.com/r?flow=old&token=old'), flow, 'new'));
    expect(link.searchParams.getAll('flow')).toEqual([flow]);
    expect(link.searchParams.getAll('token')).toEqual(['new']);
  });

  it('does not change the base URL it is given', () => {
    const base = new URL('https://id.example.com/recovery');
    buildRecoveryLink(base, flow, 'abc');
    expect(base.search).toBe('');
  });
});
