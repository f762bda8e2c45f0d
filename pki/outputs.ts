import { PkiError } from './errors.js';
import { MAX_PRIVATE_KEY_SIZE } from './limits.js';
import { decodePemBlocks } from './pem.js';

/**
 * `key.der` (additionalOutputFormats DER): the DER inside `tls.key`'s first PEM block, in the
 * Secret's own encoding, as cert-manager writes it.
 */
export function privateKeyDerOutput(tlsKeyPem: string): Buffer {
  const [block] = decodePemBlocks(tlsKeyPem, { maxBytes: MAX_PRIVATE_KEY_SIZE, what: 'private key' });
  if (!block!.label.endsWith('PRIVATE KEY')) throw new PkiError('PEM_UNEXPECTED_TYPE', `expected a private key PEM block, got "${block!.label}"`);
  return block!.der;
}

/** `tls-combined.pem` (additionalOutputFormats CombinedPEM): `tls.key` + "\n" + `tls.crt`. */
export function combinedPemOutput(tlsKeyPem: string, tlsCertificatePem: string): string {
  return `${tlsKeyPem}\n${tlsCertificatePem}`;
}
