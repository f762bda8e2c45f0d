/**
 * pki/: keys, CSRs, signing, parsing, chains and keystores. Pure functions, no file or network I/O.
 * The keystore encoders are not re-exported: `loadKeystoreEncoders()` loads them on first use.
 */
export * from './errors.js';
export * from './limits.js';
export { decodePemBlocks, encodePem, type PemBlock, type PemOrDer } from './pem.js';
export * from './keys.js';
export * from './public-keys.js';
export * from './signature-algorithms.js';
export * from './usages.js';
export * from './distinguished-names.js';
export * from './general-names.js';
export { ipToBytes, ipToString } from './ip-addresses.js';
export { EXTENSION_OID, type NamesAndUsages, type ExtensionMap, type RawExtension } from './extensions.js';
export * from './csr.js';
export * from './certificates.js';
export * from './chains.js';
export * from './signing.js';
export * from './keystores.js';
export * from './outputs.js';
