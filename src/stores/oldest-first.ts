/**
 * Keys in the order they were added, to find the oldest one that is still present in
 * amortised constant time. (`map.keys().next()` is not that: a Map keeps deleted entries
 * as holes until it rehashes, so on a Map that is always full and always evicting, the
 * first live key sits behind thousands of holes and every eviction walks them.)
 */
export class OldestFirst<K> {
  private keys: K[] = [];
  private head = 0;

  added(key: K): void {
    this.keys.push(key);
  }

  /** The oldest key `isPresent` still accepts, taken out of the queue; keys gone meanwhile are skipped. */
  takeOldest(isPresent: (key: K) => boolean): K | undefined {
    while (this.head < this.keys.length) {
      const key = this.keys[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.keys.length) {
        this.keys = this.keys.slice(this.head);
        this.head = 0;
      }
      if (isPresent(key)) return key;
    }
    return undefined;
  }
}
