import type { StoreMaintenance } from '../../recovery/index.js';

/** A role holding entries with a retention: deletes up to `batchSize` of each kind due by `due`. */
export interface Purgeable {
  purgeExpired(due: number, batchSize: number): number;
}

/** The embedded store's purge (its sweeper's work), readiness and closing: nothing to reach, nothing to close. */
export class MemoryMaintenance implements StoreMaintenance {
  /** Nothing removes what is due but purgeExpired. */
  readonly expiresByItself = false;

  /** In the order given; each role purges up to `batchSize` of each kind it holds. */
  constructor(private readonly roles: readonly Purgeable[]) {}

  async purgeExpired(now: Date, batchSize: number): Promise<number> {
    const due = now.getTime();
    let purged = 0;
    for (const role of this.roles) purged += role.purgeExpired(due, batchSize);
    return purged;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Deletes up to `batchSize` entries of `map` whose `purgeAt` is due; answers how many. */
export function deleteDue(map: Map<string, { purgeAt: number }>, due: number, batchSize: number): number {
  let purged = 0;
  let budget = batchSize;
  for (const [key, { purgeAt }] of map) {
    if (budget <= 0) break;
    if (purgeAt > due) continue;
    map.delete(key);
    budget--;
    purged++;
  }
  return purged;
}
