import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SWEEP_BATCH_SIZE, startSweeping } from '../../src/stores/sweeper.js';

const silent = pino({ level: 'silent' });

afterEach(() => {
  vi.useRealTimers();
});

describe('the sweeper', () => {
  it('purges every interval, batch after batch while batches come back full, and stops when told', async () => {
    vi.useFakeTimers();
    const answers = [SWEEP_BATCH_SIZE, SWEEP_BATCH_SIZE, 3, 0];
    const purgeExpired = vi.fn(async () => answers.shift() ?? 0);
    const stop = startSweeping({ purgeExpired }, 60_000, silent);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(purgeExpired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(purgeExpired).toHaveBeenCalledTimes(3);
    expect(purgeExpired.mock.calls[0]).toEqual([expect.any(Date), SWEEP_BATCH_SIZE]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(purgeExpired).toHaveBeenCalledTimes(4);
    stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(purgeExpired).toHaveBeenCalledTimes(4);
  });

  it('logs a failure and tries again at the next interval, never throwing', async () => {
    vi.useFakeTimers();
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const purgeExpired = vi.fn().mockRejectedValueOnce(new Error('database away')).mockResolvedValue(0);
    const stop = startSweeping({ purgeExpired }, 1_000, logger);
    await vi.advanceTimersByTimeAsync(2_000);
    stop();
    expect(purgeExpired).toHaveBeenCalledTimes(2);
    expect(warnings.join('')).toContain('could not purge expired documents');
  });
});
