import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, flatLineLogger } from '../../src/logger.js';

/** The service's logger, writing into an array: what reaches the output is what is asserted. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

const SECRET = 'a-recovery-token-that-must-never-be-logged';

describe('the logger', () => {
  it('redacts tokens, links and secrets at the top level, one level down and in forwarded headers', () => {
    const { logger, lines } = capturingLogger();
    logger.info(
      {
        token: SECRET,
        recoveryLink: `https://example.com/recovery?token=${SECRET}`,
        input: { token: SECRET, secret: SECRET },
        req: { headers: { authorization: `Bearer ${SECRET}` } },
      },
      'everything secret',
    );
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(lines[0]).toMatchObject({ token: '[redacted]', input: { token: '[redacted]', secret: '[redacted]' } });
  });

  it('writes the per-request line through flatLineLogger exactly as the logger would, still redacting its fields', () => {
    const { logger, lines } = capturingLogger();
    const line = {
      requestId: 'r-1',
      operation: 'createRecoveryLink',
      outcome: 'ok',
      durationMs: 3,
      clientAddress: '::1',
    };
    logger.info(line, 'graphql request');
    flatLineLogger(logger).info(line, 'graphql request');
    flatLineLogger(logger).info({ ...line, token: SECRET }, 'graphql request');
    const [viaLogger, viaFlat, withToken] = lines.map(({ time: _time, ...rest }) => rest);
    expect(viaFlat).toEqual(viaLogger);
    expect(Object.keys(viaFlat!)).toEqual(Object.keys(viaLogger!));
    expect(withToken).toMatchObject({ token: '[redacted]' });
  });
});
