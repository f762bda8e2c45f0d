/**
 * The single entry to @peculiar/x509: it needs the reflect-metadata polyfill loaded before it, and
 * outside browsers it must be handed Node's native WebCrypto, so whoever uses it imports it from
 * here. pki/ itself no longer does (its DER reader and writer are much faster); the tests use it as
 * a reference implementation.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
export const subtle = globalThis.crypto.subtle;
