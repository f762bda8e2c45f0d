/**
 * Replay-Nonces (RFC 8555 §7.2) an ACME server handed out that no request has spent yet. Every
 * response carries a fresh one, so a client that keeps them needs `HEAD newNonce` only when it has
 * none left — half of its requests otherwise.
 */

/** Nonces kept per account; more than the concurrent requests of one account ever leave unspent. */
export const NONCE_POOL_CAPACITY = 32;

export class NoncePool {
  readonly #capacity: number;
  #nonces: string[] = [];

  constructor(capacity = NONCE_POOL_CAPACITY) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#nonces.length;
  }

  /** Keeps `nonce` for a later request; the oldest is dropped when full (servers expire old nonces first). */
  add(nonce: string | undefined): void {
    if (!nonce) return;
    this.#nonces.push(nonce);
    if (this.#nonces.length > this.#capacity) this.#nonces.shift();
  }

  /** The newest unspent nonce (the least likely to have expired), removed from the pool; undefined when empty. */
  take(): string | undefined {
    return this.#nonces.pop();
  }
}
