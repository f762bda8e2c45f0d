/**
 * What CertificateRequest validation needs to know about a PEM CSR: pki/ parses it and checks its
 * self-signature synchronously (admission is synchronous).
 */
import { EXTENSION_OID, parseCsr, verifyCsrSignatureSync, type Usages } from '../../pki/index.js';

export interface CsrFacts {
  /** KeyUsage bits and ExtendedKeyUsage OIDs requested, or undefined when the CSR has neither extension. */
  usages: Usages | undefined;
  /** BasicConstraints CA flag, or undefined without that extension. */
  isCA: boolean | undefined;
}

/**
 * Decodes a PEM CSR, verifies its self-signature and reads its usage and CA requests.
 * Throws an Error whose message says what is wrong (never containing the CSR itself).
 */
export function inspectCsr(pem: string): CsrFacts {
  const csr = parseCsr(pem);
  verifyCsrSignatureSync(csr);
  const hasUsages = csr.extensions.has(EXTENSION_OID.keyUsage) || csr.extensions.has(EXTENSION_OID.extKeyUsage);
  return {
    usages: hasUsages ? { keyUsage: csr.keyUsage, extKeyUsages: csr.extKeyUsages } : undefined,
    isCA: csr.hasBasicConstraints ? csr.isCA : undefined,
  };
}
