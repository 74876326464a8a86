/**
 * Keys in the order they were added, to find the oldest one that is still present in
 * amortised constant time. (`map.keys().next()` is not that: a Map keeps deleted entries
 * as holes until it rehashes, so on a Map that is always full and always evicting, the
 * first live key sits behind thousands of holes and every eviction walks them.)
 *
 * Keys removed elsewhere (purged, claimed) stay queued until met; once the queue holds
 * twice `limit` keys it drops them, so it never outgrows the map it orders, whose size
 * is at most `limit`.
 */
export class OldestFirst<K> {
  private keys: K[] = [];
  private head = 0;

  constructor(
    private readonly isPresent: (key: K) => boolean,
    private readonly limit: number,
  ) {}

  added(key: K): void {
    this.keys.push(key);
    if (this.keys.length - this.head > 2 * this.limit) {
      this.keys = this.keys.slice(this.head).filter(this.isPresent);
      this.head = 0;
    }
  }

  /** How many keys are queued, present or not (for tests of the bound). */
  get queued(): number {
    return this.keys.length - this.head;
  }

  /** The oldest key still present, taken out of the queue; keys gone meanwhile are skipped. */
  takeOldest(): K | undefined {
    while (this.head < this.keys.length) {
      const key = this.keys[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.keys.length) {
        this.keys = this.keys.slice(this.head);
        this.head = 0;
      }
      if (this.isPresent(key)) return key;
    }
    return undefined;
  }
}
