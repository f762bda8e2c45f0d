import type { KeyObject } from 'node:crypto';

/**
 * A value derived from a KeyObject, remembered for that key: KeyObjects never change, while reading
 * their details asks OpenSSL each time and one issuance asks about the same key several times.
 * Weak, so a dropped key drops its entry.
 */
export class KeyMemo<V> {
  readonly #values = new WeakMap<KeyObject, V>();
  readonly #derive: (key: KeyObject) => V;

  constructor(derive: (key: KeyObject) => V) {
    this.#derive = derive;
  }

  /** The value for `key`, derived on the first call (a derivation that throws is not remembered). */
  get(key: KeyObject): V {
    if (this.#values.has(key)) return this.#values.get(key) as V;
    const value = this.#derive(key);
    this.#values.set(key, value);
    return value;
  }

  /** Records what is already known of `key` (a key just generated as described). */
  remember(key: KeyObject, value: V): void {
    this.#values.set(key, value);
  }
}
