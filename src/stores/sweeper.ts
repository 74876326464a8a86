import type { Logger } from '../logger.js';
import type { StoreMaintenance } from '../recovery/index.js';

/** Per collection and batch: small enough that one batch never holds the database for long. */
export const SWEEP_BATCH_SIZE = 1_000;
/** Batches per tick at most, so a backlog drains over a few ticks rather than in one burst. */
const MAX_BATCHES_PER_TICK = 10;

/**
 * Deletes what is due every `intervalMilliseconds`, for stores whose server does not
 * (FerretDB v1 has no TTL indexes) and for the embedded store. Every replica may run it:
 * deleting what another replica deleted is a no-op. Errors are logged, never thrown: the
 * next tick tries again, and nothing a request needs depends on it.
 */
export function startSweeping(
  store: Pick<StoreMaintenance, 'purgeExpired'>,
  intervalMilliseconds: number,
  logger: Logger,
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
        const purged = await store.purgeExpired(new Date(), SWEEP_BATCH_SIZE);
        if (purged > 0) logger.debug({ purged }, 'purged documents whose retention ended');
        if (purged < SWEEP_BATCH_SIZE) break;
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not purge expired documents; will try again');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMilliseconds);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * What whoever opened the store runs beside it: the sweeper, unless the database expires
 * documents itself. The answer stops it; call it before closing the store.
 */
export function sweepUnlessExpiresByItself(
  store: Pick<StoreMaintenance, 'purgeExpired' | 'expiresByItself'>,
  intervalMilliseconds: number,
  logger: Logger,
): () => void {
  return store.expiresByItself ? () => {} : startSweeping(store, intervalMilliseconds, logger);
}
