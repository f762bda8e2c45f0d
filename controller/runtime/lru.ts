/**
 * A bounded map that drops its least recently used entry (Map order is insertion order, so a read
 * re-inserts). For caches of parsed objects keyed by what makes them valid (uid, resourceVersion).
 */
export class LruCache<K, V> {
  #entries = new Map<K, V>();
  #max: number;

  constructor(max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`an LRU cache holds at least 1 entry, got ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) this.set(key, value);
    return value;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
