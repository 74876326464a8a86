import { describe, expect, it } from 'vitest';
import { hostOfHeader, isLoopbackHost } from '../../src/net/loopback.js';

describe('isLoopbackHost', () => {
  it('accepts only names and addresses that stay on this machine', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: true });
    for (const host of [
      '0.0.0.0',
      '::',
      '[::]',
      '10.0.0.1',
      '128.0.0.1',
      'example.com',
      'localhost.example.com',
      // Resolved through DNS, whatever RFC 6761 asks resolvers to do.
      'api.localhost',
      'localhost.',
      '::ffff:10.0.0.1',
    ])
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: false });
  });

  it('reads the host name of a Host header, with or without a port', () => {
    expect(['localhost:4000', 'localhost', '[::1]:4000', '[::1]', '127.0.0.1:80', ''].map(hostOfHeader)).toEqual([
      'localhost',
      'localhost',
      '[::1]',
      '[::1]',
      '127.0.0.1',
      null,
    ]);
    expect(hostOfHeader(undefined)).toBeNull();
  });
});
